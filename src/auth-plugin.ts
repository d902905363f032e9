import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AccountThrottle } from './account-throttle.ts'
import { type Auth, createAuth } from './auth.ts'
import type { Config } from './config.ts'
import { type AuthHandler, createGuardedAuthHandler } from './guarded-auth.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Better Auth instance, for server-side calls (session lookups). */
    auth: Auth
    /** The only way HTTP requests reach Better Auth (see guarded-auth.ts). */
    authHandler: AuthHandler
  }
}

async function authPlugin(app: FastifyInstance, { config }: { config: Config & { secret: string } }) {
  const auth = createAuth({ config, db: app.database.db, log: app.log })
  app.decorate('auth', auth)
  app.decorate('authHandler', createGuardedAuthHandler(auth, new AccountThrottle()))
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database'] })
