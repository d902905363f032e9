// Liveness says the process runs; readiness says it can do its job, which
// for an auth gateway means the session store answers. Redis (REDIS_URL) is
// reported but never makes an instance unready: without it each instance
// still serves, alone (src/redis/connection.ts).
import type { FastifyInstance } from 'fastify'
import { RETRY_AFTER_SECONDS } from '../../src/http/errors.ts'

export default async function healthRoutes(app: FastifyInstance) {
  const redisState = () => (app.redis === undefined ? {} : { redis: app.redis.state() })

  app.get('/healthz', async () => ({ status: 'ok' }))

  app.get('/readyz', async (request, reply) => {
    try {
      await app.database.ping(2000)
      return { status: 'ready', database: 'up', ...redisState() }
    } catch (err) {
      request.log.warn({ err }, 'readiness check: database unreachable')
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ status: 'unavailable', database: 'down', ...redisState() })
    }
  })
}
