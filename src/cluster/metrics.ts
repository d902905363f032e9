// /metrics across WORKERS: one answer for the whole instance, not for
// whichever worker took the scrape's connection. Each worker keeps its own
// prom-client Registry (src/metrics/); the primary gathers them with
// prom-client's AggregatorRegistry over the cluster's IPC channel (counters
// and histograms summed, gauges by their own aggregator: the event-loop lag
// averaged, gateway_redis_up the minimum). The primary serves the result on
// METRICS_PORT itself; a worker asked on the main port with METRICS_TOKEN
// fetches it from the primary (the request/answer below).
import { AggregatorRegistry, type Registry } from 'prom-client'
import type { IpcEnd } from './messages.ts'

/** prom-client's own limit for gathering every worker's registry, in ms, plus a margin. */
export const METRICS_TIMEOUT_MS = 6000

type MetricsRequest = { gw: 'metrics'; id: number }
type MetricsAnswer = { gw: 'metrics-text'; id: number; text?: string; error?: string }

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

/** Worker side: the primary's gathering reads `registry` (the app's), never prom-client's global one. */
export function offerWorkerRegistry(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry])
  // Its constructor installs, once per process, the worker's listener that
  // answers the primary's prom-client requests (prom-client lib/cluster.js).
  new AggregatorRegistry()
}

export interface InstanceMetrics {
  /** Prometheus text gathered from every connected worker; rejects when one does not answer within prom-client's 5 s. */
  gather(): Promise<string>
  contentType: string
}

/** Primary side: the instance's metrics, every worker's registry combined. */
export function instanceMetrics(): InstanceMetrics {
  const aggregator = new AggregatorRegistry()
  return { gather: () => aggregator.clusterMetrics(), contentType: aggregator.contentType }
}

/** Primary side: answers worker `end`'s metrics requests with `gather()`'s text. */
export function answerMetricsRequests(end: IpcEnd, gather: () => Promise<string>): void {
  end.on('message', (raw) => {
    const message = raw as Partial<MetricsRequest> | null
    if (typeof message !== 'object' || message === null || message.gw !== 'metrics' || !isId(message.id))
      return
    const id = message.id
    gather().then(
      (text) => send(end, { gw: 'metrics-text', id, text }),
      (err: Error) => send(end, { gw: 'metrics-text', id, error: err.message }),
    )
  })
}

/**
 * Worker side: asks the primary for the instance's metrics. Resolves to the
 * Prometheus text; rejects when the primary reports a failure, is not
 * connected, or does not answer within `timeoutMs`.
 */
export function metricsFromPrimary(
  end: IpcEnd,
  connected: () => boolean,
  timeoutMs = METRICS_TIMEOUT_MS,
): () => Promise<string> {
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>()
  let next = 0
  end.on('message', (raw) => {
    const message = raw as Partial<MetricsAnswer> | null
    if (typeof message !== 'object' || message === null || message.gw !== 'metrics-text' || !isId(message.id))
      return
    const request = pending.get(message.id)
    if (request === undefined) return // answered after its timeout
    pending.delete(message.id)
    if (typeof message.text === 'string') request.resolve(message.text)
    else request.reject(new Error(`cluster: gathering metrics failed: ${String(message.error)}`))
  })
  return () => {
    if (!connected()) return Promise.reject(new Error('cluster: no channel to the primary'))
    const id = next++
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`cluster: the primary did not answer within ${timeoutMs} ms`))
      }, timeoutMs)
      timer.unref()
      pending.set(id, {
        resolve(text) {
          clearTimeout(timer)
          resolve(text)
        },
        reject(error) {
          clearTimeout(timer)
          reject(error)
        },
      })
      const request: MetricsRequest = { gw: 'metrics', id }
      send(end, request)
    })
  }
}

/** Sends, never throws: a channel that has just closed loses the message, and the asker times out. */
function send(end: IpcEnd, message: MetricsRequest | MetricsAnswer): void {
  try {
    end.send(message, () => {})
  } catch {
    // ERR_IPC_CHANNEL_CLOSED: the other end is exiting.
  }
}
