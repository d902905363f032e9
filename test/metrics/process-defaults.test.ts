// prom-client's default metrics, one Registry per app: every series its
// collectDefaultMetrics() would give is there (event loop and GC from this
// room's stoppable collectors, the rest from prom-client's own modules), and
// closing stops the samplers.
import { createRequire } from 'node:module'
import { collectDefaultMetrics, Registry } from 'prom-client'
import t from 'tap'
import { eventLoopLag } from '../../src/metrics/event-loop.ts'
import { gcDurations } from '../../src/metrics/gc.ts'
import { processDefaults } from '../../src/metrics/process-defaults.ts'
import { histogramOf, parseMetrics, sampleValue } from '../fixtures/prometheus.ts'

const require = createRequire(import.meta.url)

t.test('every default metric name prom-client has is exposed', async (t) => {
  const registry = new Registry()
  processDefaults(registry)
  const stops = [eventLoopLag(registry), gcDurations(registry)]
  t.teardown(() => {
    for (const stop of stops) stop()
  })
  const expected = collectDefaultMetrics.metricsList.flatMap(
    (name) => (require(`prom-client/lib/metrics/${name}.js`) as { metricNames: string[] }).metricNames,
  )
  t.ok(expected.length > 20, `${expected.length} names`)
  // A collection to observe, and an event-loop turn to measure.
  ;(globalThis as { gc?: () => void }).gc?.()
  await new Promise((resolve) => setTimeout(resolve, 30))
  const m = parseMetrics(await registry.metrics())
  for (const name of expected) t.ok(m.has(name), name)
  t.ok(sampleValue(m, 'nodejs_eventloop_lag_seconds') >= 0, 'lag measured')
  t.ok(sampleValue(m, 'nodejs_eventloop_lag_max_seconds') > 0, 'the delay histogram sampled')
  t.notOk(registry.getSingleMetric('nodejs_eventloop_lag_seconds') === undefined)
})

t.test('the delay histogram stops sampling when stopped', async (t) => {
  const registry = new Registry()
  const stop = eventLoopLag(registry)
  await new Promise((resolve) => setTimeout(resolve, 30))
  stop()
  await registry.metrics() // reads, then resets the histogram
  await new Promise((resolve) => setTimeout(resolve, 50))
  const m = parseMetrics(await registry.metrics())
  t.equal(sampleValue(m, 'nodejs_eventloop_lag_max_seconds'), 0, 'nothing sampled after stop')
})

/** Enough short-lived objects for V8 to run several scavenges. */
function makeGarbage() {
  let keep: object[] = []
  for (let i = 0; i < 2_000_000; i++) {
    keep.push({ i })
    if (keep.length > 50_000) keep = []
  }
  return keep.length
}

t.test('GC pauses are observed at scrape time, and no longer once stopped', async (t) => {
  const registry = new Registry()
  const stop = gcDurations(registry)
  makeGarbage()
  const first = histogramOf(await registry.metrics(), 'nodejs_gc_duration_seconds', 'kind', 'minor')
  const minor = Number(first.count)
  t.ok(minor > 0, `${minor} scavenges observed`)
  t.ok(Number(first.sum) > 0, 'with their pause time')
  makeGarbage()
  const second = histogramOf(await registry.metrics(), 'nodejs_gc_duration_seconds', 'kind', 'minor')
  t.ok(Number(second.count) > minor, 'the next scrape adds the pauses since the first')
  stop()
  stop() // idempotent
  makeGarbage()
  const after = histogramOf(await registry.metrics(), 'nodejs_gc_duration_seconds', 'kind', 'minor')
  t.equal(after.count, second.count, 'nothing observed after stop')
})
