// Upstream latency, from the request sent upstream to its response head, as
// a Prometheus histogram per upstream. Observed on the hot path into a
// preallocated array of bucket counts (a short scan, an addition); exposed at
// scrape time as a metric object the Registry renders like its own histograms.

/** Label values of `upstream`, in slot order. */
export const UPSTREAMS = ['api', 'docs'] as const
export type Upstream = (typeof UPSTREAMS)[number]

/** Upper bounds in seconds: a fast local upstream lands in the first few, a timeout in the last. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const

const B = LATENCY_BUCKETS.length

/** What a Registry asks of a metric: prom-client's MetricObjectWithValues, as its getter returns it. */
export interface ExposedMetric {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  aggregator: 'sum'
  values: { value: number; labels: Record<string, string>; metricName?: string }[]
}

export class LatencyHistogram {
  readonly name: string
  readonly help: string
  /** Per upstream: B bucket counts (not cumulative), then +Inf's own count. */
  readonly #buckets = new Float64Array(UPSTREAMS.length * (B + 1))
  readonly #sums = new Float64Array(UPSTREAMS.length)

  constructor(name: string, help: string) {
    this.name = name
    this.help = help
  }

  /** Records one response head `seconds` after the request left; `upstream` is a UPSTREAMS index. */
  observe(upstream: number, seconds: number): void {
    let bucket = 0
    while (bucket < B && seconds > (LATENCY_BUCKETS[bucket] as number)) bucket++
    const slot = upstream * (B + 1) + bucket
    this.#buckets[slot] = (this.#buckets[slot] as number) + 1
    this.#sums[upstream] = (this.#sums[upstream] as number) + seconds
  }

  /**
   * The histogram as prom-client's Registry renders one (`_bucket` with
   * cumulative `le`, `_sum`, `_count`), for upstreams that answered at least once.
   */
  async get(): Promise<ExposedMetric> {
    const values: ExposedMetric['values'] = []
    UPSTREAMS.forEach((upstream, u) => {
      let cumulative = 0
      for (let b = 0; b <= B; b++) cumulative += this.#buckets[u * (B + 1) + b] as number
      if (cumulative === 0) return
      let running = 0
      for (let b = 0; b <= B; b++) {
        running += this.#buckets[u * (B + 1) + b] as number
        const le = b < B ? String(LATENCY_BUCKETS[b]) : '+Inf'
        values.push({ metricName: `${this.name}_bucket`, labels: { upstream, le }, value: running })
      }
      values.push({ metricName: `${this.name}_sum`, labels: { upstream }, value: this.#sums[u] as number })
      values.push({ metricName: `${this.name}_count`, labels: { upstream }, value: cumulative })
    })
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values }
  }
}
