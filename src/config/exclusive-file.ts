// Files a process creates once and others respect: the generated secret
// (secret.ts), the embedded database's lock (db/pglite-lock.ts) and the
// demo's lock (scripts/demo/run-lock.ts).
import { randomBytes } from 'node:crypto'
import { link, unlink, writeFile } from 'node:fs/promises'

/**
 * Creates `file` holding `content` (mode 0600) unless it exists: the whole
 * content goes to a private temporary file first, then link() puts it in
 * place, which fails if the name is taken. So of two processes racing, one
 * wins, and nobody ever reads a half-written file. Resolves true when this
 * call created it, false when it existed; rejects on any other I/O error.
 */
export async function createExclusively(file: string, content: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
  await writeFile(temp, content, { mode: 0o600, flag: 'wx' })
  try {
    await link(temp, file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return false
  } finally {
    await unlink(temp)
  }
}

/** True while process `pid` exists on this machine (EPERM: it exists under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
