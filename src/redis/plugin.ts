// app.redis: the link to REDIS_URL, or undefined for a single instance.
// Closed with the app.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.ts'
import { connectRedis, type RedisLink } from './connection.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined without REDIS_URL. */
    redis: RedisLink | undefined
  }
}

async function redisPlugin(app: FastifyInstance, { config }: { config: Config }) {
  const link = config.redisUrl === undefined ? undefined : connectRedis(config.redisUrl, app.log)
  app.decorate('redis', link)
  if (link !== undefined) app.addHook('onClose', () => link.close())
}

export default fp(redisPlugin, { name: 'redis' })
