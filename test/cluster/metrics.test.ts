// The metrics request between a worker and the primary (src/cluster/metrics.ts)
// on an in-memory channel: the text the primary gathers reaches the asking
// worker; a failure, a silent primary and a closed channel each reject
// instead of hanging the scrape; stray messages are ignored. The real
// gathering across processes is in workers.test.ts.
import { EventEmitter } from 'node:events'
import t from 'tap'
import type { IpcEnd } from '../../src/cluster/messages.ts'
import { answerMetricsRequests, metricsFromPrimary } from '../../src/cluster/metrics.ts'

// The request timers are unref'd; these in-memory channels keep nothing alive.
const keepAlive = setInterval(() => {}, 1000)
t.teardown(() => clearInterval(keepAlive))

/** A worker end and a primary end joined in memory; messages are copied and arrive on a later tick. */
function channel() {
  const toPrimary = new EventEmitter()
  const toWorker = new EventEmitter()
  const end = (out: EventEmitter, into: EventEmitter): IpcEnd => ({
    send(message, callback) {
      const copy = structuredClone(message)
      setImmediate(() => out.emit('message', copy))
      callback?.(null)
      return true
    },
    on: (_event, listener) => into.on('message', listener),
  })
  return { worker: end(toPrimary, toWorker), primary: end(toWorker, toPrimary), toWorker }
}

t.test('the primary’s text reaches the worker that asked, each answer to its own request', async (t) => {
  const { worker, primary } = channel()
  let n = 0
  answerMetricsRequests(primary, async () => `scrape ${++n}\n`)
  const ask = metricsFromPrimary(worker, () => true)
  const answers = await Promise.all([ask(), ask(), ask()])
  t.same([...answers].sort(), ['scrape 1\n', 'scrape 2\n', 'scrape 3\n'])
})

t.test('a failed gathering rejects with its reason', async (t) => {
  const { worker, primary } = channel()
  answerMetricsRequests(primary, () => Promise.reject(new Error('Operation timed out.')))
  await t.rejects(metricsFromPrimary(worker, () => true)(), /gathering metrics failed: Operation timed out/)
})

t.test(
  'a primary that never answers: rejected after the timeout, and a late answer is dropped',
  async (t) => {
    const { worker, toWorker } = channel()
    const ask = metricsFromPrimary(worker, () => true, 50)
    await t.rejects(ask(), /did not answer within 50 ms/)
    toWorker.emit('message', { gw: 'metrics-text', id: 0, text: 'late' })
    t.pass('the late answer is ignored')
  },
)

t.test('no channel to the primary: rejected at once', async (t) => {
  const { worker } = channel()
  await t.rejects(metricsFromPrimary(worker, () => false)(), /no channel to the primary/)
})

t.test('messages that are not metrics requests or answers are ignored on both ends', async (t) => {
  const { worker, primary, toWorker } = channel()
  let gathered = 0
  answerMetricsRequests(primary, async () => {
    gathered++
    return 'x'
  })
  const ask = metricsFromPrimary(worker, () => true, 200)
  for (const stray of [
    null,
    'text',
    { gw: 'metrics' },
    { gw: 'metrics', id: -1 },
    { type: 'prom-client:getMetricsReq' },
  ])
    worker.send(stray)
  toWorker.emit('message', { gw: 'metrics-text', id: 'x', text: 'forged' })
  t.equal(await ask(), 'x', 'the real request is answered')
  t.equal(gathered, 1, 'only the well-formed request was gathered')
})

t.test('an answer without text is a failure, not an empty scrape', async (t) => {
  const { worker, toWorker } = channel()
  const pending = metricsFromPrimary(worker, () => true, 1000)()
  toWorker.emit('message', { gw: 'metrics-text', id: 0 })
  await t.rejects(pending, /gathering metrics failed: undefined/)
})

t.test('a closed channel loses the request without throwing; the asker times out', async (t) => {
  const closed: IpcEnd = {
    send() {
      throw new Error('ERR_IPC_CHANNEL_CLOSED')
    },
    on: () => undefined,
  }
  await t.rejects(metricsFromPrimary(closed, () => true, 30)(), /did not answer within 30 ms/)
})
