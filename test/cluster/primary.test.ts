// The primary's decisions with node:cluster and the process replaced by
// stand-ins: when it is ready, how it replaces a worker, when it gives up,
// and how it shuts down. workers.test.ts runs the real thing.
import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { type PrimaryHost, type PrimaryWorker, runPrimary } from '../../src/cluster/primary.ts'
import { RestartPolicy } from '../../src/cluster/restart-policy.ts'

interface FakeWorker extends PrimaryWorker {
  signals: string[]
}

function fakeHost() {
  const events = new EventEmitter()
  const workers: FakeWorker[] = []
  const exits: number[] = []
  let stopSignal: ((signal: 'SIGTERM' | 'SIGINT') => void) | undefined
  const host: PrimaryHost = {
    fork() {
      const id = workers.length + 1
      const channel = new EventEmitter()
      const worker: FakeWorker = {
        id,
        signals: [],
        process: {
          pid: 1000 + id,
          kill: (signal) => {
            worker.signals.push(signal)
            return true
          },
        },
        send: () => true,
        on: (event, listener) => channel.on(event, listener),
      }
      workers.push(worker)
      return worker
    },
    onListening: (listener) => events.on('listening', listener),
    onExit: (listener) => events.on('exit', listener),
    onStopSignal: (listener) => {
      stopSignal = listener
    },
    exit: (code) => void exits.push(code),
  }
  return {
    host,
    workers,
    exits,
    listen: (w: PrimaryWorker) => events.emit('listening', w),
    die: (w: PrimaryWorker, code: number | null, signal: string | null = null) =>
      events.emit('exit', w, code, signal),
    signal: (s: 'SIGTERM' | 'SIGINT') => stopSignal?.(s),
  }
}

function logCapture() {
  const lines: { level: string; obj: object; msg: string }[] = []
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg })
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } }
}

const options = (
  log: ReturnType<typeof logCapture>['log'],
  policy = new RestartPolicy({ baseDelayMs: 10 }),
) => ({
  workers: 2,
  graceMs: 50,
  log,
  readyMessage: 'ready!',
  policy,
})

t.test('forks the workers and says ready once, when every one listens', async (t) => {
  const fake = fakeHost()
  const { lines, log } = logCapture()
  runPrimary(options(log), fake.host)
  t.equal(fake.workers.length, 2)
  fake.listen(fake.workers[0] as PrimaryWorker)
  fake.listen(fake.workers[0] as PrimaryWorker) // its METRICS_PORT server
  t.notOk(
    lines.some((l) => l.msg === 'ready!'),
    'not before the second listens',
  )
  fake.listen(fake.workers[1] as PrimaryWorker)
  t.equal(lines.filter((l) => l.msg === 'ready!').length, 1)
})

t.test('a worker that dies after listening is replaced after the back-off', async (t) => {
  const fake = fakeHost()
  const { lines, log } = logCapture()
  runPrimary(options(log), fake.host)
  for (const w of fake.workers) fake.listen(w)
  fake.die(fake.workers[0] as PrimaryWorker, null, 'SIGKILL')
  t.equal(fake.workers.length, 2, 'not at once')
  await sleep(30)
  t.equal(fake.workers.length, 3, 'a replacement after the delay')
  t.match(lines.find((l) => l.level === 'warn')?.obj, { worker: 1001, signal: 'SIGKILL', restartInMs: 10 })
  t.same(fake.exits, [], 'the primary goes on')
})

t.test('a worker that dies before listening at first start: the others are stopped, exit 1', async (t) => {
  const fake = fakeHost()
  const { lines, log } = logCapture()
  runPrimary(options(log), fake.host)
  fake.die(fake.workers[0] as PrimaryWorker, 1)
  t.same(fake.workers[1]?.signals, ['SIGTERM'], 'the other is told to stop')
  t.ok(lines.some((l) => l.level === 'error' && /^giving up/.test(l.msg)))
  await sleep(20)
  t.equal(fake.workers.length, 2, 'nothing replaced')
  fake.die(fake.workers[1] as PrimaryWorker, null, 'SIGTERM')
  t.same(fake.exits, [1])
})

t.test('SIGTERM: every worker drains; exit 0 when all did, 1 when one did not', async (t) => {
  for (const [codes, expected] of [
    [[0, 0], 0],
    [[0, 1], 1],
  ] as const) {
    const fake = fakeHost()
    const { log } = logCapture()
    runPrimary(options(log), fake.host)
    for (const w of fake.workers) fake.listen(w)
    fake.signal('SIGTERM')
    t.same(
      fake.workers.map((w) => w.signals),
      [['SIGTERM'], ['SIGTERM']],
      'each worker told to drain',
    )
    fake.die(fake.workers[0] as PrimaryWorker, codes[0])
    t.same(fake.exits, [], 'not while one still drains')
    fake.die(fake.workers[1] as PrimaryWorker, codes[1])
    t.same(fake.exits, [expected], `workers ${codes.join(', ')}: exit ${expected}`)
  }
})

t.test('a replacement pending when SIGTERM arrives is not started', async (t) => {
  const fake = fakeHost()
  const { log } = logCapture()
  runPrimary(options(log), fake.host)
  for (const w of fake.workers) fake.listen(w)
  fake.die(fake.workers[0] as PrimaryWorker, null, 'SIGKILL')
  fake.signal('SIGTERM')
  t.same(fake.workers[0]?.signals, [], 'the dead one is not signalled')
  t.same(fake.workers[1]?.signals, ['SIGTERM'])
  await sleep(30)
  t.equal(fake.workers.length, 2, 'no replacement')
  fake.die(fake.workers[1] as PrimaryWorker, 0)
  t.same(fake.exits, [0])
})

t.test('a worker that does not drain within the grace is killed, exit 1', async (t) => {
  const fake = fakeHost()
  const { lines, log } = logCapture()
  runPrimary(options(log), fake.host)
  for (const w of fake.workers) fake.listen(w)
  fake.signal('SIGINT')
  fake.die(fake.workers[0] as PrimaryWorker, 0)
  await sleep(50 + 2000 + 100)
  t.same(fake.workers[1]?.signals, ['SIGTERM', 'SIGKILL'])
  t.same(fake.exits, [1])
  t.ok(lines.some((l) => /grace period elapsed/.test(l.msg)))
})
