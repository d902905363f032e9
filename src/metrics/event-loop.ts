// nodejs_eventloop_lag_*: the same series prom-client's default collector
// exposes, from a monitorEventLoopDelay histogram this app can switch off.
// prom-client's own enables one per collectDefaultMetrics() call and never
// disables it: every app a test process builds would leave a sampler running.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { type Aggregator, Gauge, type Registry } from 'prom-client'

/** Sampling resolution of the delay histogram, in ms (prom-client's default). */
const RESOLUTION_MS = 10

/**
 * Registers the event-loop lag gauges (seconds) in `registry` and starts
 * sampling. `nodejs_eventloop_lag_seconds` is measured at scrape time (one
 * setImmediate); min/max/mean/stddev/p50/p90/p99 cover the time since the
 * previous scrape. Returns `stop`, which ends the sampling (call on close).
 */
export function eventLoopLag(registry: Registry): () => void {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  // Made unregistered, then registered after the lag gauge: the Registry
  // collects in registration order, synchronously up to each collect's first
  // await, so the lag gauge's collect sets these before they are rendered.
  // Aggregators as prom-client's own: how the WORKERS primary combines workers.
  const stat = (suffix: string, help: string, aggregator: Aggregator = 'average') =>
    new Gauge({ name: `nodejs_eventloop_lag_${suffix}_seconds`, help, aggregator, registers: [] })
  const min = stat('min', 'The minimum recorded event loop delay.', 'min')
  const max = stat('max', 'The maximum recorded event loop delay.', 'max')
  const mean = stat('mean', 'The mean of the recorded event loop delays.')
  const stddev = stat('stddev', 'The standard deviation of the recorded event loop delays.')
  const p50 = stat('p50', 'The 50th percentile of the recorded event loop delays.')
  const p90 = stat('p90', 'The 90th percentile of the recorded event loop delays.')
  const p99 = stat('p99', 'The 99th percentile of the recorded event loop delays.')
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    aggregator: 'average',
    registers: [registry],
    async collect() {
      min.set(histogram.min / 1e9)
      max.set(histogram.max / 1e9)
      mean.set(histogram.mean / 1e9)
      stddev.set(histogram.stddev / 1e9)
      p50.set(histogram.percentile(50) / 1e9)
      p90.set(histogram.percentile(90) / 1e9)
      p99.set(histogram.percentile(99) / 1e9)
      histogram.reset()
      const start = process.hrtime.bigint()
      await new Promise((resolve) => setImmediate(resolve))
      this.set(Number(process.hrtime.bigint() - start) / 1e9)
    },
  })
  for (const gauge of [min, max, mean, stddev, p50, p90, p99]) registry.registerMetric(gauge)
  return () => histogram.disable()
}
