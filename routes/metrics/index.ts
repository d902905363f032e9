// Prometheus text, exposed two ways (README, Endpoints): on the main port only with
// "Authorization: Bearer $METRICS_TOKEN" (without a token configured that
// route does not exist), and without a token on METRICS_PORT, which is bound
// to loopback only so that nothing but the machine itself can read it.
import { timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config/config.ts'

const CONTENT_TYPE = 'text/plain; version=0.0.4'

export default async function metricsRoutes(app: FastifyInstance, { config }: { config: Config }) {
  if (config.metricsPort !== undefined) serveOnLoopback(app, config.metricsPort)
  const token = config.metricsToken
  if (token === undefined) return
  const expected = Buffer.from(`Bearer ${token}`)

  app.get('/metrics', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    // Constant-time: the token must not leak one byte at a time.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.callNotFound()
    return reply.type(CONTENT_TYPE).header('cache-control', 'no-store').send(render(app))
  })
}

function serveOnLoopback(app: FastifyInstance, port: number) {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0]
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' }).end(render(app))
  })
  app.addHook('onReady', async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  })
  app.addHook('onClose', async () => {
    if (!server.listening) return
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
}

function render(app: FastifyInstance): string {
  const cache = app.sessionCache
  const admission = app.passwordAdmission
  const memory = process.memoryUsage()
  const lines = [
    metric(
      'gateway_db_queries_total',
      'counter',
      'Queries issued to the database',
      app.database.queryCount(),
    ),
    metric('gateway_session_cache_hits_total', 'counter', 'Sessions served from the cache', cache.stats.hits),
    metric(
      'gateway_session_cache_negative_hits_total',
      'counter',
      'Unknown cookies answered from the cache',
      cache.stats.negativeHits,
    ),
    metric(
      'gateway_session_cache_misses_total',
      'counter',
      'Session lookups that went to the database',
      cache.stats.misses,
    ),
    metric(
      'gateway_session_cache_evictions_total',
      'counter',
      'Revocations applied to the cache',
      cache.stats.evictions,
    ),
    metric('gateway_session_cache_entries', 'gauge', 'Cached sessions', cache.size.entries),
    metric(
      'gateway_session_cache_size_chars',
      'gauge',
      'Identity text held by the cache (bounded at 16 Mi characters)',
      cache.size.bytes,
    ),
    metric(
      'gateway_password_requests_waiting',
      'gauge',
      'Sign-ins and other password requests waiting to enter Better Auth',
      admission.depth.waiting,
    ),
    metric(
      'gateway_password_requests_refused_total',
      'counter',
      'Password requests refused: 503 with the queue full, or 429 for one address holding too many places',
      admission.stats.refusedBusy + admission.stats.refusedClient,
    ),
    metric(
      'gateway_password_requests_abandoned_total',
      'counter',
      'Password requests dropped from the queue because their client closed the connection',
      admission.stats.abandoned,
    ),
    ...redisMetrics(app),
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size', memory.rss),
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use', memory.heapUsed),
  ]
  return `${lines.join('\n')}\n`
}

/** With REDIS_URL only: the link's state and the revocations it carried. */
function redisMetrics(app: FastifyInstance): string[] {
  const channel = app.revocationChannel
  if (app.redis === undefined || channel === undefined) return []
  return [
    metric(
      'gateway_redis_up',
      'gauge',
      '1 while Redis answers (REDIS_URL), 0 while this instance is alone',
      app.redis.state() === 'up' ? 1 : 0,
    ),
    metric(
      'gateway_revocations_published_total',
      'counter',
      'Revocations told to the other instances',
      channel.stats.published,
    ),
    metric(
      'gateway_revocations_unpublished_total',
      'counter',
      'Revocations the other instances were not told (Redis down, failed or slow): they expire with SESSION_CACHE_TTL_MS',
      channel.stats.unpublished,
    ),
    metric(
      'gateway_revocations_received_total',
      'counter',
      'Revocations heard from other instances and applied',
      channel.stats.received,
    ),
  ]
}

function metric(name: string, type: 'counter' | 'gauge', help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`
}
