import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Auth, createAuth } from './auth.ts'
import type { Config } from './config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    auth: Auth
  }
}

async function authPlugin(app: FastifyInstance, { config }: { config: Config & { secret: string } }) {
  app.decorate('auth', createAuth({ config, db: app.database.db, log: app.log }))
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database'] })
