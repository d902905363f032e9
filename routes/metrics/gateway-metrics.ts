// The gauges and counters read from the other rooms at scrape time: database
// queries, the session cache, the password queue, Redis and the revocations
// it carries. Names and meanings are those of the hand-written /metrics of
// before prom-client (docs/operations.md lists them all).
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import {
  counterFrom,
  gaugeFrom,
  labelledCounterFrom,
  labelledGaugeFrom,
} from '../../src/metrics/scrape-time.ts'

/** Registers, in `registry`, every metric read from `app`'s decorators. */
export function registerGatewayMetrics(app: FastifyInstance, registry: Registry): void {
  const cache = app.sessionCache
  const admission = app.passwordAdmission
  counterFrom(registry, 'gateway_db_queries_total', 'Queries issued to the database', () =>
    app.database.queryCount(),
  )
  counterFrom(
    registry,
    'gateway_session_cache_hits_total',
    'Sessions served from the cache',
    () => cache.stats.hits,
  )
  counterFrom(
    registry,
    'gateway_session_cache_negative_hits_total',
    'Unknown cookies answered from the cache',
    () => cache.stats.negativeHits,
  )
  counterFrom(
    registry,
    'gateway_session_cache_misses_total',
    'Session lookups that went to the database',
    () => cache.stats.misses,
  )
  counterFrom(
    registry,
    'gateway_session_cache_evictions_total',
    'Revocations applied to the cache',
    () => cache.stats.evictions,
  )
  gaugeFrom(registry, 'gateway_session_cache_entries', 'Cached sessions', () => cache.size.entries)
  gaugeFrom(
    registry,
    'gateway_session_cache_size_chars',
    'Identity text held by the cache (bounded at 16 Mi characters)',
    () => cache.size.bytes,
  )
  gaugeFrom(
    registry,
    'gateway_password_requests_waiting',
    'Sign-ins and other password requests waiting to enter Better Auth',
    () => admission.depth.waiting,
  )
  gaugeFrom(
    registry,
    'gateway_password_requests_inside',
    'Password requests inside Better Auth (hashing or about to)',
    () => admission.depth.inside,
  )
  labelledCounterFrom(
    registry,
    'gateway_password_requests_refused_total',
    'Password requests refused by the queue: reason="busy" 503 with the queue full, reason="client" 429 for one address holding too many places',
    ['reason'],
    () => [
      { labels: { reason: 'busy' }, value: admission.stats.refusedBusy },
      { labels: { reason: 'client' }, value: admission.stats.refusedClient },
    ],
  )
  counterFrom(
    registry,
    'gateway_password_requests_abandoned_total',
    'Password requests dropped from the queue because their client closed the connection',
    () => admission.stats.abandoned,
  )
  // Before prom-client this was the only heap figure; nodejs_heap_size_used_bytes is the same number.
  gaugeFrom(
    registry,
    'nodejs_heap_used_bytes',
    'V8 heap in use (same as nodejs_heap_size_used_bytes; kept for dashboards made before it)',
    () => process.memoryUsage().heapUsed,
  )
  registerRedisMetrics(app, registry)
}

/** With REDIS_URL only: the link's state and the revocations it carried. */
function registerRedisMetrics(app: FastifyInstance, registry: Registry): void {
  const redis = app.redis
  const channel = app.revocationChannel
  if (redis === undefined || channel === undefined) return
  gaugeFrom(
    registry,
    'gateway_redis_up',
    '1 while Redis answers (REDIS_URL), 0 while this instance is alone',
    () => (redis.state() === 'up' ? 1 : 0),
    // Across WORKERS: 0 as soon as one worker has lost Redis.
    'min',
  )
  labelledGaugeFrom(
    registry,
    'gateway_redis_state',
    'The link to Redis: 1 for the current state (connecting, up or down), 0 for the others',
    ['state'],
    () =>
      (['connecting', 'up', 'down'] as const).map((state) => ({
        labels: { state },
        value: redis.state() === state ? 1 : 0,
      })),
  )
  counterFrom(
    registry,
    'gateway_revocations_published_total',
    'Revocations told to the other instances',
    () => channel.stats.published,
  )
  counterFrom(
    registry,
    'gateway_revocations_unpublished_total',
    'Revocations the other instances were not told (Redis down, failed or slow): they expire with SESSION_CACHE_TTL_MS',
    () => channel.stats.unpublished,
  )
  counterFrom(
    registry,
    'gateway_revocations_received_total',
    'Revocations heard from other instances and applied',
    () => channel.stats.received,
  )
}
