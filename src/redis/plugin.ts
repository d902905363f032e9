// app.redis: the link to REDIS_URL, or undefined for a single instance.
// app.sharedState: what this process shares with its siblings: Redis when
// REDIS_URL is set (every instance and every worker meet there), else the
// cluster's IPC when the caller (server.ts, in a worker) hands one in, else
// nothing. Closed with the app.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.ts'
import { connectRedis, type RedisLink } from './connection.ts'
import { redisSharedState } from './redis-state.ts'
import type { SharedState } from './shared-state.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined without REDIS_URL. */
    redis: RedisLink | undefined
    /** Redis, or the workers' IPC (src/cluster/), or undefined: one process alone. */
    sharedState: SharedState | undefined
  }
}

export interface RedisPluginOptions {
  config: Config
  /** The other workers of this instance (WORKERS > 1), used when there is no REDIS_URL. */
  siblings?: SharedState
}

async function redisPlugin(app: FastifyInstance, { config, siblings }: RedisPluginOptions) {
  const link = config.redisUrl === undefined ? undefined : connectRedis(config.redisUrl, app.log)
  app.decorate('redis', link)
  app.decorate(
    'sharedState',
    link === undefined ? siblings : redisSharedState(link, config.publicUrl, app.log),
  )
  if (link !== undefined) app.addHook('onClose', () => link.close())
}

export default fp(redisPlugin, { name: 'redis' })
