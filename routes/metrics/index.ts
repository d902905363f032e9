// Prometheus text on the main port, only with "Authorization: Bearer
// $METRICS_TOKEN"; without a token configured the endpoint does not exist.
// (A separate METRICS_PORT listener is not built yet.)
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config.ts'

export default async function metricsRoutes(app: FastifyInstance, { config }: { config: Config }) {
  const token = config.metricsToken
  if (token === undefined) return
  const expected = Buffer.from(`Bearer ${token}`)

  app.get('/metrics', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    // Constant-time: the token must not leak one byte at a time.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.callNotFound()
    const cache = app.sessionCache
    const memory = process.memoryUsage()
    const lines = [
      metric(
        'gateway_db_queries_total',
        'counter',
        'Queries issued to the database',
        app.database.queryCount(),
      ),
      metric(
        'gateway_session_cache_hits_total',
        'counter',
        'Sessions served from the cache',
        cache.stats.hits,
      ),
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
      metric('process_resident_memory_bytes', 'gauge', 'Resident set size', memory.rss),
      metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use', memory.heapUsed),
    ]
    return reply
      .type('text/plain; version=0.0.4')
      .header('cache-control', 'no-store')
      .send(`${lines.join('\n')}\n`)
  })
}

function metric(name: string, type: 'counter' | 'gauge', help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`
}
