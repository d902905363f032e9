// The workers' shared state over IPC (src/cluster/worker-state.ts) against the
// primary's hub (src/cluster/hub.ts), on in-memory channels that copy every
// message as the real one does (structured clone, delivered on a later
// tick). The real processes are in workers.test.ts; here each behaviour is
// pinned down, including what happens when the primary does not answer.
import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { AccountThrottle } from '../../src/auth/account-throttle.ts'
import { SharedAccountThrottle } from '../../src/auth/shared-account-throttle.ts'
import { sharedRateLimitStorage } from '../../src/auth/shared-rate-limit.ts'
import { Hub } from '../../src/cluster/hub.ts'
import { MemoryCounters } from '../../src/cluster/memory-counters.ts'
import { type IpcEnd, parsePrimaryMessage, parseWorkerMessage } from '../../src/cluster/messages.ts'
import { clusterSharedState } from '../../src/cluster/worker-state.ts'
import { openRevocationChannel, type Revocation } from '../../src/session/revocation-channel.ts'

// The carrier's timers are unref'd (a real worker is kept alive by its
// channel); these in-memory channels keep nothing alive, so this does.
const keepAlive = setInterval(() => {}, 1000)
t.teardown(() => clearInterval(keepAlive))

/** One direction of a channel: what is sent arrives, as a copy, on a later tick. */
function direction(isOpen: () => boolean) {
  const events = new EventEmitter()
  const sent: unknown[] = []
  return {
    sent,
    events,
    send(message: unknown, callback?: (error: Error | null) => void) {
      if (!isOpen()) throw new Error('ERR_IPC_CHANNEL_CLOSED')
      sent.push(message)
      const copy = structuredClone(message)
      setImmediate(() => events.emit('message', copy))
      callback?.(null)
      return true
    },
  }
}

/**
 * A worker attached to `hub` as cluster worker `id`. `deaf`: the primary
 * never hears it; `stuck`: it never reads what the primary sends.
 */
function worker(hub: Hub, id: number, { deaf = false, stuck = false, timeoutMs = 1000 } = {}) {
  let open = true
  const up = direction(() => open)
  const down = direction(() => open)
  const workerEnd: IpcEnd = {
    send: up.send,
    on: (_e, l) => (stuck ? undefined : down.events.on('message', l)),
  }
  const primaryEnd: IpcEnd = { send: down.send, on: (_e, l) => up.events.on('message', l) }
  if (!deaf) hub.attach(id, primaryEnd)
  const state = clusterSharedState({ end: workerEnd, connected: () => open, timeoutMs })
  return {
    state,
    /** Everything the primary sent this worker. */
    received: down.sent,
    /** Puts raw bytes-as-objects on the worker's way to the primary, as a bug or another library might. */
    toPrimary: (message: unknown) => up.events.emit('message', message),
    toWorker: (message: unknown) => down.events.emit('message', message),
    close() {
      open = false
      hub.detach(id)
    },
  }
}

t.test('counters: every worker counts against one window held by the primary', async (t) => {
  let now = 1_000_000
  const hub = new Hub(new MemoryCounters(() => now))
  const a = worker(hub, 1)
  const b = worker(hub, 2)
  t.same(await a.state.increment('k', 10_000), { count: 1, resetInMs: 10_000 })
  now += 4000
  t.same(await b.state.increment('k', 10_000), { count: 2, resetInMs: 6000 }, 'the window is not extended')
  t.same(await a.state.peek('k'), { count: 2, resetInMs: 6000 }, 'peek from the other worker')
  t.same(await b.state.peek('other'), { count: 0, resetInMs: 0 }, 'an unknown key holds nothing')
  await a.state.reset('k')
  t.same(await b.state.peek('k'), { count: 0, resetInMs: 0 }, 'reset by one, gone for all')
  await b.state.increment('k', 10_000)
  now += 10_000
  t.same(await a.state.increment('k', 10_000), { count: 1, resetInMs: 10_000 }, 'a fresh window once it ends')
  t.equal(a.state.carrier, 'cluster')
  t.equal(a.state.state(), 'up')
})

t.test('Better Auth’s rate limit and the account throttle, unchanged, on the IPC carrier', async (t) => {
  const hub = new Hub()
  const a = worker(hub, 1)
  const b = worker(hub, 2)
  const rule = { window: 10, max: 3 }
  const limits = [sharedRateLimitStorage(a.state), sharedRateLimitStorage(b.state)]
  const answers = []
  for (let i = 0; i < 4; i++) answers.push(await limits[i % 2]?.consume('10.0.0.1/sign-in/email', rule))
  t.same(
    answers.map((x) => x?.allowed),
    [true, true, true, false],
    'one budget across both workers',
  )
  t.equal(answers[3]?.retryAfter, 10)

  const throttles = [a, b].map((w) => new SharedAccountThrottle(new AccountThrottle(), w.state))
  for (let i = 0; i < 5; i++) await throttles[i % 2]?.recordFailure('Alice@Example.com ')
  t.ok(
    ((await throttles[0]?.retryAfter('alice@example.com')) ?? 0) > 0,
    'five failures over two workers lock it',
  )
  t.ok(((await throttles[1]?.retryAfter('alice@example.com')) ?? 0) > 0, 'on both')
  await throttles[1]?.recordSuccess('alice@example.com')
  t.equal(await throttles[0]?.retryAfter('alice@example.com'), 0, 'a success clears it for both')
})

t.test('publish: every other worker has applied it before the publisher hears back', async (t) => {
  const hub = new Hub()
  const workers = [worker(hub, 1), worker(hub, 2), worker(hub, 3)]
  const heard: string[][] = [[], [], []]
  for (const [i, w] of workers.entries())
    w.state.subscribe(
      'revocations',
      (m) => heard[i]?.push(m),
      () => {},
    )
  await workers[0]?.state.publish('revocations', 'first')
  t.same(
    heard,
    [[], ['first'], ['first']],
    'the others applied it by then; the publisher is not told its own',
  )
  await workers[2]?.state.publish('elsewhere', 'second')
  t.same(heard, [[], ['first'], ['first']], 'another topic reaches no revocation listener')
})

t.test('the revocation channel over IPC: applied on the sibling before publish resolves', async (t) => {
  const hub = new Hub()
  const [a, b] = [worker(hub, 1), worker(hub, 2)]
  const applied: Revocation[] = []
  let resyncs = 0
  const log = { debug: () => {} }
  const channelA = openRevocationChannel({ shared: a.state, apply: () => {}, resync: () => {}, log })
  const channelB = openRevocationChannel({
    shared: b.state,
    apply: (r) => applied.push(r),
    resync: () => resyncs++,
    log,
  })
  await sleep(1)
  t.equal(resyncs, 1, 'subscribed at once: one resync')
  await channelA.publish({ kind: 'session', token: 'tok' })
  t.same(applied, [{ kind: 'session', token: 'tok' }])
  t.same(channelA.stats, { published: 1, unpublished: 0, received: 0 })
  t.equal(channelB.stats.received, 1)
})

t.test('a sibling that never acknowledges holds a publish only for the delivery timeout', async (t) => {
  const hub = new Hub(new MemoryCounters(), 50)
  const a = worker(hub, 1)
  const stuck = worker(hub, 2, { stuck: true })
  const gone = worker(hub, 3)
  gone.close()
  const started = performance.now()
  await a.state.publish('t', 'm')
  const waited = performance.now() - started
  t.ok(waited >= 45 && waited < 1000, `answered after the delivery timeout (${waited.toFixed(0)} ms)`)
  t.equal(stuck.received.length, 1, 'the stuck worker was sent it; the closed one was not waited for')
})

t.test('a listener that throws is contained, and the delivery is still acknowledged', async (t) => {
  const hub = new Hub(new MemoryCounters(), 60_000)
  const a = worker(hub, 1)
  const b = worker(hub, 2)
  const heard: string[] = []
  b.state.subscribe(
    't',
    () => {
      throw new Error('a bug in one listener')
    },
    () => {},
  )
  b.state.subscribe(
    't',
    (m) => heard.push(m),
    () => {},
  )
  await a.state.publish('t', 'm')
  t.same(heard, ['m'], 'the next listener still heard it, and a was answered without a timeout')
})

t.test('a worker that leaves while a publish waits for it releases the publish', async (t) => {
  const hub = new Hub(new MemoryCounters(), 60_000)
  const a = worker(hub, 1)
  const b = worker(hub, 2)
  // b will never answer: cut its way back before the delivery arrives.
  const pending = a.state.publish('t', 'm')
  b.close()
  await pending
  t.pass('resolved without b')
})

t.test(
  'the primary does not answer: requests reject after the timeout; the limits decide alone',
  async (t) => {
    const hub = new Hub()
    const lost = worker(hub, 1, { deaf: true, timeoutMs: 100 })
    await t.rejects(lost.state.increment('k', 1000), /did not answer within 100 ms/)
    const limit = sharedRateLimitStorage(lost.state)
    const started = performance.now()
    t.same(await limit.consume('ip/path', { window: 10, max: 1 }), { allowed: true, retryAfter: null })
    t.same(
      (await limit.consume('ip/path', { window: 10, max: 1 })).allowed,
      false,
      'the local window counts meanwhile',
    )
    t.ok(performance.now() - started < 700, 'each waited at most the fallback timeout (250 ms)')

    const closed = worker(hub, 2)
    closed.close()
    t.equal(closed.state.state(), 'down', 'no channel: down')
    await t.rejects(closed.state.peek('k'), /no channel/)
    t.same(await sharedRateLimitStorage(closed.state).consume('k', { window: 1, max: 1 }), {
      allowed: true,
      retryAfter: null,
    })
  },
)

const BAD_WORKER_MESSAGES: [string, unknown][] = [
  ['null', null],
  ['a string', 'increment'],
  ['an array', [1, 2]],
  ['no id', { gw: 'increment', key: 'k', windowMs: 1000 }],
  ['a negative id', { gw: 'peek', id: -1, key: 'k' }],
  ['a fractional id', { gw: 'peek', id: 1.5, key: 'k' }],
  ['an unknown kind', { gw: 'flushall', id: 1 }],
  ['an empty key', { gw: 'increment', id: 1, key: '', windowMs: 1000 }],
  ['a key that is not text', { gw: 'peek', id: 1, key: { $ne: null } }],
  ['an oversize key', { gw: 'reset', id: 1, key: 'k'.repeat(70_000) }],
  ['a zero window', { gw: 'increment', id: 1, key: 'k', windowMs: 0 }],
  ['an endless window', { gw: 'increment', id: 1, key: 'k', windowMs: Number.POSITIVE_INFINITY }],
  ['a window as text', { gw: 'increment', id: 1, key: 'k', windowMs: '1000' }],
  ['a publish without a message', { gw: 'publish', id: 1, topic: 't' }],
  ['a publish with an empty topic', { gw: 'publish', id: 1, topic: '', message: 'm' }],
]

for (const [name, message] of BAD_WORKER_MESSAGES)
  t.equal(parseWorkerMessage(message), undefined, `worker → primary refused: ${name}`)

const BAD_PRIMARY_MESSAGES: [string, unknown][] = [
  ['null', null],
  ['a count that is negative', { gw: 'counted', id: 1, count: -1, resetInMs: 0 }],
  ['a count as text', { gw: 'counted', id: 1, count: '5', resetInMs: 0 }],
  ['no reset time', { gw: 'counted', id: 1, count: 1 }],
  ['a delivery without a topic', { gw: 'deliver', id: 1, message: 'm' }],
  ['an unknown kind', { gw: 'increment', id: 1, key: 'k', windowMs: 5 }],
]

for (const [name, message] of BAD_PRIMARY_MESSAGES)
  t.equal(parsePrimaryMessage(message), undefined, `primary → worker refused: ${name}`)

t.test('garbage on either side is ignored: no answer, no crash, the channel keeps working', async (t) => {
  const hub = new Hub()
  const a = worker(hub, 1)
  for (const [, message] of BAD_WORKER_MESSAGES) a.toPrimary(message)
  for (const [, message] of BAD_PRIMARY_MESSAGES) a.toWorker(message)
  a.toWorker({ gw: 'counted', id: 999, count: 1, resetInMs: 1 }) // an answer nobody waits for
  a.toPrimary({ gw: 'delivered', id: 12345 }) // an acknowledgement of nothing
  await sleep(5)
  t.equal(a.received.length, 0, 'the primary answered none of it')
  t.same(
    await a.state.increment('k', 1000),
    { count: 1, resetInMs: 1000 },
    'and still answers what is well-formed',
  )
})

t.test('the primary’s counters stay bounded under a flood of distinct keys, oldest first', async (t) => {
  const counters = new MemoryCounters(() => 0, 1000)
  counters.increment('first', 60_000)
  for (let i = 0; i < 1000; i++) counters.increment(`key-${i}`, 60_000)
  t.equal(counters.size, 1000)
  t.same(counters.peek('first'), { count: 0, resetInMs: 0 }, 'the oldest window made room')
})
