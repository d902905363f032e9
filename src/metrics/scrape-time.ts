// prom-client metrics whose values are read at scrape time from counts the
// gateway already keeps (a plain integer, a preallocated array): the request
// path never calls into prom-client. Each metric's collect() runs when the
// Registry renders it and sets the value from scratch.
import { type Aggregator, Counter, Gauge, type Registry } from 'prom-client'

/** One labelled value, as collect() sets it. */
export interface Sample<L extends string> {
  labels: Record<L, string>
  value: number
}

/** A counter named `name` in `registry` whose value is `read()` (a count since start, never decreasing). */
export function counterFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset()
      this.inc(read())
    },
  })
}

/**
 * A gauge named `name` in `registry` whose value is `read()`. `aggregator`:
 * how the WORKERS primary combines the workers' values (prom-client's
 * AggregatorRegistry; default the sum, as for a count of things held).
 */
export function gaugeFrom(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
  aggregator: Aggregator = 'sum',
): void {
  new Gauge({
    name,
    help,
    aggregator,
    registers: [registry],
    collect() {
      this.set(read())
    },
  })
}

/**
 * A counter with labels `labelNames` whose series are `samples()`, replaced
 * wholesale at each scrape (a series absent from `samples()` disappears).
 */
export function labelledCounterFrom<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  samples: () => Sample<L>[],
): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const { labels, value } of samples()) this.inc(labels as Partial<Record<L, string>>, value)
    },
  })
}

/** A gauge with labels `labelNames` whose series are `samples()`, replaced at each scrape. */
export function labelledGaugeFrom<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  samples: () => Sample<L>[],
): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const { labels, value } of samples()) this.set(labels as Partial<Record<L, string>>, value)
    },
  })
}
