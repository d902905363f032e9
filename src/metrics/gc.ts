// nodejs_gc_duration_seconds{kind}: the histogram prom-client's default
// collector exposes, fed at scrape time from V8's GCProfiler instead of a
// PerformanceObserver. prom-client's observer, which could never be stopped,
// and the stoppable one that replaced it both call into JavaScript on every
// collection, hundreds a second under load; the profiler records each pause
// in C++ and hands the list over when a scrape asks. (Node >= 18.15.)
import { GCProfiler } from 'node:v8'
import { Histogram, type Registry } from 'prom-client'

/** prom-client's buckets for GC pauses, in seconds. */
const BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5]

/** V8's GC types (GCProfiler's gcType) as prom-client's `kind` label names them. */
const KINDS: Record<string, string> = {
  Scavenge: 'minor',
  MinorMarkCompact: 'minor',
  MarkSweepCompact: 'major',
  IncrementalMarking: 'incremental',
  ProcessWeakCallbacks: 'weakcb',
}

/**
 * Registers the GC pause histogram (seconds, by kind) in `registry` and
 * starts profiling collections; each scrape observes the pauses since the
 * previous one. Returns `stop`, which ends the profiling (call on close).
 */
export function gcDurations(registry: Registry): () => void {
  let profiler = new GCProfiler()
  profiler.start()
  let stopped = false
  new Histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets: BUCKETS,
    registers: [registry],
    collect() {
      if (stopped) return
      const pauses = profiler.stop().statistics
      profiler = new GCProfiler()
      profiler.start()
      // `cost` is in microseconds.
      for (const { gcType, cost } of pauses) this.observe({ kind: KINDS[gcType] ?? 'unknown' }, cost / 1e6)
    },
  })
  return () => {
    if (stopped) return
    stopped = true
    profiler.stop()
  }
}
