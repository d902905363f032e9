// The hashing threads: the same keys as node:crypto, at most `size` at once,
// a lower CPU priority, recovery from a lost worker, and no idle isolate.
import { scryptSync } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { createScryptPool, type ScryptPoolOptions } from '../../../src/auth/password/scrypt-pool.ts'

// Small parameters: these tests are about the pool, not scrypt's cost.
const options: ScryptPoolOptions = {
  size: 2,
  keyLength: 32,
  params: { N: 1024, r: 8, p: 1, maxmem: 32 * 1024 * 1024 },
  nice: 7,
  idleMs: 200,
}

/** Nice values of this process's threads other than the main one. */
function threadNiceness(): number[] {
  return readdirSync('/proc/self/task')
    .filter((tid) => Number(tid) !== process.pid)
    .map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]))
}

t.test('derives exactly what node:crypto derives', async (t) => {
  const pool = createScryptPool(options)
  t.teardown(() => pool.close())
  const keys = await Promise.all(['a', 'b', 'c', 'pässwörd'].map((pw) => pool.derive(pw, `salt-${pw}`)))
  t.same(
    keys.map((k) => k.toString('hex')),
    ['a', 'b', 'c', 'pässwörd'].map((pw) =>
      scryptSync(pw, `salt-${pw}`, options.keyLength, options.params).toString('hex'),
    ),
  )
})

t.test('runs on at most `size` threads, each at the lower priority', async (t) => {
  const niceBefore = threadNiceness().filter((n) => n === options.nice).length
  // Slow enough hashes (~30 ms each) to watch the threads while they work.
  const pool = createScryptPool({
    ...options,
    params: { ...options.params, N: 1 << 15, maxmem: 64 * 1024 * 1024 },
  })
  t.teardown(() => pool.close())
  let settled = false
  const work = Promise.all(Array.from({ length: 8 }, (_, i) => pool.derive(`pw${i}`, 'salt'))).finally(() => {
    settled = true
  })
  let most = 0
  while (!settled) {
    most = Math.max(most, threadNiceness().filter((n) => n === options.nice).length - niceBefore)
    await new Promise((r) => setTimeout(r, 5))
  }
  t.ok(most >= 1 && most <= options.size, `${most} hashing threads at nice ${options.nice}`)
  t.equal((await work).length, 8, 'every queued hash completes')
})

t.test('bad parameters fail that hash and leave the pool working', async (t) => {
  const pool = createScryptPool({ ...options, params: { ...options.params, maxmem: 1024 } })
  t.teardown(() => pool.close())
  await t.rejects(pool.derive('pw', 'salt'), /scrypt failed/)
  const good = createScryptPool(options)
  t.teardown(() => good.close())
  t.equal((await good.derive('pw', 'salt')).length, options.keyLength)
})

t.test('a worker that goes away fails only its own hash, and the pool starts a new one', async (t) => {
  const pool = createScryptPool({
    ...options,
    size: 1,
    params: { ...options.params, N: 1 << 16, maxmem: 128 * 1024 * 1024 },
  })
  t.teardown(() => pool.close())
  const running = t.rejects(pool.derive('pw', 'salt'), /exited/, 'the hash in flight fails')
  const queued = t.rejects(pool.derive('pw2', 'salt'), /stopped/, 'a queued hash fails')
  await new Promise((r) => setTimeout(r, 20))
  // Terminating the thread mid-hash is what an out-of-memory kill looks like.
  await pool.close()
  await running
  await queued
  t.equal((await pool.derive('pw', 'salt')).length, options.keyLength, 'the next hash gets a new worker')
})

t.test('idle workers stop, and the pool starts them again on demand', async (t) => {
  const pool = createScryptPool(options)
  t.teardown(() => pool.close())
  const baseline = threadNiceness().filter((n) => n === options.nice).length
  await pool.derive('pw', 'salt')
  t.ok(threadNiceness().filter((n) => n === options.nice).length > baseline, 'a worker while in use')
  await new Promise((r) => setTimeout(r, options.idleMs + 300))
  t.equal(threadNiceness().filter((n) => n === options.nice).length, baseline, 'none once idle')
  t.equal((await pool.derive('pw', 'salt')).length, options.keyLength, 'and hashing works again')
})
