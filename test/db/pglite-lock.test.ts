// The embedded database's pid lock (db/pglite-lock.ts): one process at a
// time; the same process may reopen; a dead holder's lock is taken over.
// The child-process side (a second process refused) is in
// test/scripts/admin/failures.test.ts.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { DataDirLockedError, lockDataDir, PGLITE_LOCK_FILE } from '../../db/pglite-lock.ts'
import type { Teardown } from '../helper.ts'

function tempDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-lock-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** The pid of a process that has exited (pids are not reused that fast). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(String(child.stdout))
}

t.test('taken, counted within this process, released by the last', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, PGLITE_LOCK_FILE)
  const first = await lockDataDir(dir)
  t.equal(readFileSync(file, 'utf8').trim(), String(process.pid), 'the lock names this process')
  const second = await lockDataDir(dir)
  await first()
  await first() // releasing twice is a no-op, not a second release
  t.ok(existsSync(file), 'still held by the second open')
  await second()
  t.notOk(existsSync(file), 'gone once every open released it')
})

t.test('a live other process holds it: refused, naming the pid', async (t) => {
  const dir = tempDir(t)
  const holder = spawn('sleep', ['30'], { stdio: 'ignore' })
  t.teardown(() => holder.kill('SIGKILL'))
  writeFileSync(join(dir, PGLITE_LOCK_FILE), `${holder.pid}\n`)
  await t.rejects(lockDataDir(dir), DataDirLockedError)
  await t.rejects(lockDataDir(dir), { message: new RegExp(`in use by process ${holder.pid}`) })
  t.equal(readFileSync(join(dir, PGLITE_LOCK_FILE), 'utf8').trim(), String(holder.pid), 'left untouched')
})

t.test('a dead process’s lock is taken over', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, PGLITE_LOCK_FILE)
  writeFileSync(file, `${deadPid()}\n`)
  const release = await lockDataDir(dir)
  t.equal(readFileSync(file, 'utf8').trim(), String(process.pid), 'now this process’s')
  await release()
  t.notOk(existsSync(file))
})

t.test('an empty or garbled lock file is taken over rather than trusted', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, PGLITE_LOCK_FILE)
  writeFileSync(file, 'not a pid\n')
  const release = await lockDataDir(dir)
  t.equal(readFileSync(file, 'utf8').trim(), String(process.pid))
  await release()
})
