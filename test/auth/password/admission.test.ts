import t from 'tap'
import { PasswordAdmission, type Refusal } from '../../../src/auth/password/admission.ts'

/** A piece of work that finishes when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let finish = () => {}
  const done = new Promise<string>((resolve) => {
    finish = () => resolve(name)
  })
  return {
    work: () => {
      log.push(`start ${name}`)
      return done
    },
    finish,
  }
}

const refusedAs = (reason: Refusal) => `refused ${reason}`
const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('admits `concurrency` at once; the rest start in arrival order as places free', async (t) => {
  const admission = new PasswordAdmission({ concurrency: 2, maxQueued: 10, maxPerClient: 10 })
  const log: string[] = []
  const gates = ['a', 'b', 'c', 'd'].map((name) => gate(log, name))
  const results = gates.map((g, i) => admission.run(`client-${i}`, g.work, refusedAs))
  await turn()
  t.same(log, ['start a', 'start b'], 'two inside, two waiting')
  t.same(admission.depth, { inside: 2, waiting: 2 })

  gates[1]?.finish()
  await turn()
  t.same(log, ['start a', 'start b', 'start c'], 'b leaving lets the first waiter in')
  gates[0]?.finish()
  await turn()
  t.same(log.at(-1), 'start d')
  gates[2]?.finish()
  gates[3]?.finish()
  t.same(await Promise.all(results), ['a', 'b', 'c', 'd'], 'each caller gets its own work’s answer')
  t.same(admission.depth, { inside: 0, waiting: 0 }, 'every place is given back')
})

t.test('a full queue refuses at once as busy, without running the work', async (t) => {
  const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 1, maxPerClient: 10 })
  const log: string[] = []
  const first = gate(log, 'first')
  const second = gate(log, 'second')
  const running = admission.run('a', first.work, refusedAs)
  const waiting = admission.run('b', second.work, refusedAs)
  let ranThird = false
  const third = await admission.run(
    'c',
    async () => {
      ranThird = true
      return 'third'
    },
    refusedAs,
  )
  t.equal(third, 'refused busy')
  t.notOk(ranThird, 'the refused work never ran')
  t.same(admission.stats, { refusedBusy: 1, refusedClient: 0, abandoned: 0 })
  first.finish()
  second.finish()
  t.same(await Promise.all([running, waiting]), ['first', 'second'], 'the admitted ones are unaffected')
})

t.test('one client holds at most maxPerClient places, inside and waiting together', async (t) => {
  const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 10, maxPerClient: 2 })
  const log: string[] = []
  const [one, two] = [gate(log, 'one'), gate(log, 'two')]
  const results = [
    admission.run('10.0.0.1', one.work, refusedAs),
    admission.run('10.0.0.1', two.work, refusedAs),
  ]
  t.equal(await admission.run('10.0.0.1', async () => 'three', refusedAs), 'refused client')
  t.same(admission.depth, { inside: 1, waiting: 1 }, 'the refusal took no place')
  const other = gate(log, 'other')
  const otherResult = admission.run('10.0.0.2', other.work, refusedAs)
  t.same(admission.depth.waiting, 2, 'another address still gets in line')

  one.finish()
  two.finish()
  other.finish()
  t.same(await Promise.all([...results, otherResult]), ['one', 'two', 'other'])
  t.equal(
    await admission.run('10.0.0.1', async () => 'again', refusedAs),
    'again',
    'the address gets its places back once its requests finish',
  )
  t.same(admission.stats, { refusedBusy: 0, refusedClient: 1, abandoned: 0 })
})

t.test('work that fails still gives its place back, and the failure reaches only its caller', async (t) => {
  const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 10, maxPerClient: 1 })
  const log: string[] = []
  const next = gate(log, 'next')
  const failing = admission.run('a', async () => Promise.reject(new Error('database down')), refusedAs)
  const waiting = admission.run('b', next.work, refusedAs)
  await t.rejects(failing, /database down/)
  await turn()
  t.same(log, ['start next'], 'the waiter was let in')
  next.finish()
  t.equal(await waiting, 'next')
  t.equal(
    await admission.run('a', async () => 'retry', refusedAs),
    'retry',
    'the failing client is not stuck',
  )
  t.same(admission.depth, { inside: 0, waiting: 0 })
})

t.test('a client that goes while waiting leaves the line at once, and its place is free again', async (t) => {
  const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 1, maxPerClient: 1 })
  const log: string[] = []
  const first = gate(log, 'first')
  const running = admission.run('a', first.work, refusedAs)
  const hangUp = new AbortController()
  let ranGone = false
  const waiting = admission.run(
    'b',
    async () => {
      ranGone = true
      return 'gone work'
    },
    refusedAs,
    hangUp.signal,
  )
  await turn()
  t.same(admission.depth, { inside: 1, waiting: 1 })
  hangUp.abort()
  t.equal(await waiting, 'refused gone', 'answered as soon as the client went')
  t.same(admission.depth, { inside: 1, waiting: 0 }, 'its place in line is free')

  const next = gate(log, 'next')
  const queued = admission.run('b', next.work, refusedAs)
  t.same(admission.depth.waiting, 1, 'the same address may queue again, and the queue is not full')
  first.finish()
  await turn()
  t.same(log, ['start first', 'start next'], 'the waiter behind it was let in')
  next.finish()
  t.same(await Promise.all([running, queued]), ['first', 'next'])
  t.notOk(ranGone, 'the abandoned work never ran')
  t.same(admission.stats, { refusedBusy: 0, refusedClient: 0, abandoned: 1 })
})

t.test('a client already gone is not queued at all', async (t) => {
  const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 1, maxPerClient: 1 })
  const gone = new AbortController()
  gone.abort()
  t.equal(await admission.run('a', async () => 'ran', refusedAs, gone.signal), 'refused gone')
  t.same(admission.depth, { inside: 0, waiting: 0 })
  t.equal(admission.stats.abandoned, 1)
  const stillHere = new AbortController()
  t.equal(
    await admission.run('a', async () => 'ran', refusedAs, stillHere.signal),
    'ran',
    'a live signal changes nothing',
  )
})
