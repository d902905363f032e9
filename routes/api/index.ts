// /api/* → API_UPSTREAM_URL (FastAPI). /api/auth/* is Better Auth's and is
// matched first by the router (routes/auth), so it is never proxied.
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config/config.ts'
import { registerProxy } from '../../src/proxy/register.ts'

export default async function apiProxy(app: FastifyInstance, { config }: { config: Config }) {
  await registerProxy(app, { config, prefix: '/api', upstream: config.apiUpstream, surface: 'api' })
}
