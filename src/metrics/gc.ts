// nodejs_gc_duration_seconds{kind}: the same histogram prom-client's default
// collector exposes, from a PerformanceObserver this app disconnects on
// close. prom-client's own never disconnects its observer: every app a test
// process builds would leave one more observer hearing every collection.
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { Histogram, type Registry } from 'prom-client'

/** prom-client's buckets for GC pauses, in seconds. */
const BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5]

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
}

/**
 * Registers the GC pause histogram (seconds, by kind) in `registry` and
 * starts observing collections. Returns `stop`, which disconnects the observer.
 */
export function gcDurations(registry: Registry): () => void {
  const histogram = new Histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets: BUCKETS,
    registers: [registry],
  })
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Node ≥ 16 puts the kind in `detail` (PerformanceEntry's type omits it).
      const detail = (entry as { detail?: { kind?: number } }).detail
      const kind = KINDS[detail?.kind ?? -1] ?? 'unknown'
      histogram.observe({ kind }, entry.duration / 1000)
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  return () => observer.disconnect()
}
