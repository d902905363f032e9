// With metrics on, the proxy's two existing callbacks also measure: the
// request-header rewrite (reply-from calls it right before sending upstream)
// notes the time, and onResponse (the upstream's head has arrived) observes
// the latency and counts the answer by its status. With metrics off the
// callbacks are returned unwrapped: not even a branch is added per request.
import type { FastifyReplyFromHooks } from '@fastify/reply-from'
import { UPSTREAMS, type Upstream } from '../metrics/latency-histogram.ts'
import type { GatewayMetrics } from '../metrics/plugin.ts'
import { groupIndex } from '../metrics/route-groups.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request left for the upstream (metrics on only). */
    upstreamSentAt: number
  }
}

type RewriteRequestHeaders = NonNullable<FastifyReplyFromHooks['rewriteRequestHeaders']>
type OnResponse = NonNullable<FastifyReplyFromHooks['onResponse']>

/** `rewrite`, noting when the request leaves for the upstream; `rewrite` itself when `metrics` is undefined. */
export function timedRequestHeaders(
  rewrite: RewriteRequestHeaders,
  metrics: GatewayMetrics | undefined,
): RewriteRequestHeaders {
  if (metrics === undefined) return rewrite
  return (request, headers) => {
    request.upstreamSentAt = performance.now()
    return rewrite(request, headers)
  }
}

/**
 * `onResponse`, first observing the upstream latency (seconds, to the head)
 * and counting the answer under `upstream`'s route group; `onResponse` itself
 * when `metrics` is undefined.
 */
export function countedResponse(
  onResponse: OnResponse,
  metrics: GatewayMetrics | undefined,
  upstream: Upstream,
): OnResponse {
  if (metrics === undefined) return onResponse
  const { requests, upstreamLatency } = metrics
  const slot = UPSTREAMS.indexOf(upstream)
  const group = groupIndex(upstream)
  return (request, reply, response) => {
    upstreamLatency.observe(slot, (performance.now() - request.upstreamSentAt) / 1000)
    requests.count(group, request.method, reply.statusCode)
    onResponse(request, reply, response)
  }
}
