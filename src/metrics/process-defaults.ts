// The rest of prom-client's default metrics (CPU, memory, heap spaces, file
// descriptors, handles, requests, start time, version), each registered into
// this app's Registry. collectDefaultMetrics() cannot be used: it always also
// starts the event-loop sampler and the GC observer, which it never stops
// (see event-loop.ts and gc.ts for the stoppable replacements). So its list
// of collectors is walked minus those two; each of these only reads the
// process when scraped and holds nothing open. Its modules are plain
// CommonJS files under prom-client/lib/metrics/ (prom-client 15 has no
// "exports" map); test/metrics/process-defaults.test.ts fails if they move.
import { createRequire } from 'node:module'
import { collectDefaultMetrics, type Registry } from 'prom-client'

const require = createRequire(import.meta.url)

/** The defaults replaced by stoppable collectors of this room. */
const REPLACED = new Set(['eventLoopLag', 'gc'])

type DefaultCollector = (registry: Registry, config: object) => void

/** Registers every prom-client default metric except event-loop lag and GC durations in `registry`. */
export function processDefaults(registry: Registry): void {
  for (const name of collectDefaultMetrics.metricsList) {
    if (REPLACED.has(name)) continue
    const collector = require(`prom-client/lib/metrics/${name}.js`) as DefaultCollector
    collector(registry, {})
  }
}
