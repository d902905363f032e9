// PGlite is Postgres inside one process: two processes opening the same data
// directory would each believe they own its files and corrupt them. So
// whichever process opens the embedded database first (the gateway, or
// `npm run admin`) writes its pid to DATA_DIR/pglite.lock, and any other
// process is refused while that pid runs. A lock left by a process that died
// (a crash, kill -9) is taken over. Within one process the lock is counted:
// tests reopen a data directory their own process holds.
import { randomBytes } from 'node:crypto'
import { readFileSync, unlinkSync } from 'node:fs'
import { link, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createExclusively, processAlive } from '../src/config/exclusive-file.ts'

export const PGLITE_LOCK_FILE = 'pglite.lock'

/** Another live process holds the embedded database. */
export class DataDirLockedError extends Error {
  readonly pid: number
  readonly dataDir: string
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is in use by process ${pid} (a running gateway?): ` +
        'PGlite allows one process; stop it first, or point DATABASE_URL at Postgres',
    )
    this.name = 'DataDirLockedError'
    this.pid = pid
    this.dataDir = dataDir
  }
}

/** Locks this process holds: lock file → how many opens share it. */
const held = new Map<string, number>()
let exitHandlerInstalled = false

/**
 * Takes the lock of `dataDir` (which must exist) for this process; resolves
 * to its release, which removes the file once every open of this process
 * has released it. Throws DataDirLockedError when another live process
 * holds it; other file-system errors are thrown as they come.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, PGLITE_LOCK_FILE)
  const count = held.get(file)
  if (count !== undefined) held.set(file, count + 1)
  else {
    await acquire(file, dataDir)
    held.set(file, 1)
    if (held.size === 1 && !exitHandlerInstalled) {
      exitHandlerInstalled = true
      process.once('exit', releaseAtExit)
    }
  }
  let released = false
  return async () => {
    if (released) return
    released = true
    const left = (held.get(file) ?? 1) - 1
    if (left > 0) return void held.set(file, left)
    held.delete(file)
    if ((await readPid(file)) === process.pid) await unlink(file).catch(() => {})
  }
}

async function acquire(file: string, dataDir: string): Promise<void> {
  // A few rounds: each lost race (another process took the lock or the
  // stale file first) starts over and reads who holds it now.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusively(file, `${process.pid}\n`)) return
    const text = await readText(file)
    if (text === undefined) continue // removed meanwhile: try again
    // Locks are written whole (create), so one that names no pid is no lock.
    const holder = parsePid(text)
    if (holder !== undefined && holder !== process.pid && processAlive(holder))
      throw new DataDirLockedError(dataDir, holder)
    await takeOver(file, text)
  }
  throw new Error(`could not take ${file}: other processes keep racing for it`)
}

/**
 * Moves a dead process's lock aside (rename is atomic: of two processes
 * taking over, one moves it). If what was moved is no longer the stale text
 * (someone took over in between), it is put back for its owner.
 */
async function takeOver(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`
  try {
    await rename(file, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if ((await readText(aside)) !== staleText) await link(aside, file).catch(() => {})
  await unlink(aside).catch(() => {})
}

/** The lock file's text, or undefined when there is none. */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readText(file)
  return text === undefined ? undefined : parsePid(text)
}

function parsePid(text: string): number | undefined {
  const pid = Number(text.trim())
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

/** At exit (an uncaught exception included) only synchronous work runs: remove the locks still ours. */
function releaseAtExit(): void {
  for (const file of held.keys()) {
    try {
      if (parsePid(readFileSync(file, 'utf8')) === process.pid) unlinkSync(file)
    } catch {
      // Nothing to do: a lock left behind names a dead pid and is taken over.
    }
  }
}
