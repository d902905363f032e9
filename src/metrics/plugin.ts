// app.metrics: this app's Prometheus registry and the counts the request path
// feeds it, or undefined when nothing may read them (neither METRICS_TOKEN nor
// METRICS_PORT): then no counting code is registered anywhere and the hot
// path runs exactly as without metrics. One Registry per app, never
// prom-client's global one: tests build many apps in one process.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Registry } from 'prom-client'
import type { Config } from '../config/config.ts'
import { AuthOutcomes, OUTCOMES } from './auth-outcomes.ts'
import { eventLoopLag } from './event-loop.ts'
import { gcDurations } from './gc.ts'
import { LatencyHistogram } from './latency-histogram.ts'
import { processDefaults } from './process-defaults.ts'
import { RequestCounts } from './request-counts.ts'
import { counterFrom, labelledCounterFrom } from './scrape-time.ts'

export interface GatewayMetrics {
  /** Rendered by /metrics; routes/metrics adds the gauges read from other rooms. */
  registry: Registry
  /** gateway_http_requests_total, counted where answers are sent (app.ts onSend, the proxy's onResponse). */
  requests: RequestCounts
  /** gateway_upstream_response_seconds, observed in the proxy's onResponse. */
  upstreamLatency: LatencyHistogram
  /** Sign-ins, sign-ups and throttled password requests, counted by auth/guards/outcomes.ts. */
  auth: AuthOutcomes
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined unless METRICS_TOKEN or METRICS_PORT is set. */
    metrics: GatewayMetrics | undefined
  }
}

/** Whether anything may read /metrics, and so whether anything is counted. */
export const metricsEnabled = (config: Pick<Config, 'metricsToken' | 'metricsPort'>): boolean =>
  config.metricsToken !== undefined || config.metricsPort !== undefined

async function metricsPlugin(app: FastifyInstance, { config }: { config: Config }) {
  if (!metricsEnabled(config)) {
    app.decorate('metrics', undefined)
    return
  }
  const registry = new Registry()
  processDefaults(registry)
  const stops = [eventLoopLag(registry), gcDurations(registry)]
  app.addHook('onClose', async () => {
    for (const stop of stops) stop()
    registry.clear()
  })

  const requests = new RequestCounts()
  labelledCounterFrom(
    registry,
    'gateway_http_requests_total',
    'Answers sent, by route group, method and status class (proxied answers by the upstream’s status)',
    ['group', 'method', 'status_class'],
    () => requests.samples(),
  )
  const upstreamLatency = new LatencyHistogram(
    'gateway_upstream_response_seconds',
    'Time from the request sent upstream to the upstream’s response head, by upstream',
  )
  // A metric object of our own: prom-client's Histogram cannot be filled from counts kept elsewhere.
  registry.registerMetric(upstreamLatency as unknown as Parameters<Registry['registerMetric']>[0])
  const auth = new AuthOutcomes()
  labelledCounterFrom(
    registry,
    'gateway_sign_ins_total',
    `Email sign-ins by outcome (${OUTCOMES.join(', ')})`,
    ['outcome'],
    () => AuthOutcomes.samples(auth.signIns, true),
  )
  labelledCounterFrom(
    registry,
    'gateway_sign_ups_total',
    `Email sign-ups by outcome (${OUTCOMES.filter((o) => o !== 'bad_credentials').join(', ')})`,
    ['outcome'],
    () => AuthOutcomes.samples(auth.signUps, false),
  )
  counterFrom(
    registry,
    'gateway_password_requests_throttled_total',
    'Password requests (sign-in, sign-up, password changes) answered 429 by a limit: per account, per address, or one address holding its share of the queue',
    () => auth.passwordThrottled,
  )
  app.decorate('metrics', { registry, requests, upstreamLatency, auth })
}

export default fp(metricsPlugin, { name: 'metrics' })
