// One demo per checkout: two would share .demo/data (one PGlite database
// opened by two processes loses writes) and its logs. The lock file holds
// the running demo's pid and URL; a lock whose pid is gone is stale.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { processAlive } from '../../src/config/exclusive-file.ts'

/**
 * Takes the lock at `path` for this process, writing `pid url`. Returns
 * undefined when taken, else the message naming the demo that holds it.
 * Release with releaseRunLock when the demo ends.
 */
export function takeRunLock(path: string, url: string): string | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx') // atomic: fails if it exists
      writeSync(fd, `${process.pid} ${url}\n`)
      closeSync(fd)
      return undefined
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const [pid, holder] = readFileSync(path, 'utf8').trim().split(' ')
    if (pid !== undefined && processAlive(Number(pid)))
      return `another demo is running from this directory (pid ${pid}, ${holder}); stop it first`
    rmSync(path, { force: true }) // stale: its demo was killed outright
  }
  return `could not take ${path}`
}

/** Removes the lock if it is still this process's. */
export function releaseRunLock(path: string): void {
  try {
    if (readFileSync(path, 'utf8').startsWith(`${process.pid} `)) rmSync(path, { force: true })
  } catch {
    // Already gone.
  }
}
