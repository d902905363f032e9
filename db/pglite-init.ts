// Creates a new PGlite data directory (initdb) in a worker thread that exits
// afterwards. initdb grows PGlite's WASM memory, and WASM memory never
// shrinks: done in the gateway's own instance, a fresh install would carry
// initdb's peak until its first restart (docs/operations.md has the sizes).
// The worker's memory goes back to the system when it exits.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

// Plain JavaScript, run with `eval`: the same text works under tsx and from dist/.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
import(workerData.module).then(async ({ PGlite }) => {
  const db = await PGlite.create(workerData.path, { startParams: workerData.startParams })
  await db.close()
})
`

/** True once initdb has completed in `path` (Postgres writes PG_VERSION then). */
export const isInitialised = (path: string) => existsSync(join(path, 'PG_VERSION'))

export async function initialisePgliteDirectory(path: string, startParams: string[]): Promise<void> {
  if (isInitialised(path)) return
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { module: import.meta.resolve('@electric-sql/pglite'), path, startParams },
  })
  await new Promise<void>((resolve, reject) => {
    let failure: Error | undefined
    worker.once('error', (error) => {
      failure = error
    })
    worker.once('exit', (code) => {
      if (failure === undefined && code === 0 && isInitialised(path)) resolve()
      else reject(failure ?? new Error(`PGlite initialisation of ${path} exited with code ${code}`))
    })
  })
}
