// One demo per checkout: a second is refused while the first runs; a lock
// left by a demo killed outright is taken over.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { releaseRunLock, takeRunLock } from '../../../scripts/demo/run-lock.ts'

const dir = mkdtempSync(join(tmpdir(), 'gw-lock-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

t.test('taken, refused to another holder, released', async (t) => {
  const lock = join(dir, 'a')
  t.equal(takeRunLock(lock, 'http://localhost:3001'), undefined, 'free: taken')
  t.equal(readFileSync(lock, 'utf8'), `${process.pid} http://localhost:3001\n`)
  // Another live process holds it: pid 1 always runs.
  writeFileSync(lock, '1 http://localhost:3600\n')
  t.equal(
    takeRunLock(lock, 'http://localhost:3001'),
    'another demo is running from this directory (pid 1, http://localhost:3600); stop it first',
  )
  releaseRunLock(lock)
  t.equal(readFileSync(lock, 'utf8'), '1 http://localhost:3600\n', 'another’s lock is never released')
})

t.test('a stale lock (its pid is gone) is taken over', async (t) => {
  const lock = join(dir, 'b')
  writeFileSync(lock, '2147483646 http://localhost:3001\n')
  t.equal(takeRunLock(lock, 'http://localhost:3002'), undefined)
  t.equal(readFileSync(lock, 'utf8'), `${process.pid} http://localhost:3002\n`)
  releaseRunLock(lock)
  t.throws(() => readFileSync(lock), 'released')
})
