// Better Auth, served in-process at /api/auth/*. The gateway only adapts the
// request (client IP, public origin) and the failure modes Better Auth leaves
// to its host: a throttle without a standard Retry-After, and a bare 500 when
// the database is gone, which the contract says is a 503.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AUTH_BASE_PATH } from '../../src/auth/better-auth.ts'
import { raiseAuthFailure } from '../../src/auth/failure.ts'
import { clientGoneSignal, sendWebResponse, toAuthRequest } from '../../src/auth/web-request.ts'
import type { Config } from '../../src/config/config.ts'
import { UnsupportedAuthMethod } from '../../src/http/errors.ts'

// Credentials and profile edits are small; 64 KiB leaves room and stops a
// multi-megabyte JSON body from reaching scrypt or the database.
const AUTH_BODY_LIMIT = 64 * 1024

export default async function authRoutes(app: FastifyInstance, { config }: { config: Config }) {
  async function handler(request: FastifyRequest, reply: FastifyReply) {
    const response = await app.authHandler(toAuthRequest(request, config.publicUrl), clientGoneSignal(reply))
    if (response.status >= 500) return raiseAuthFailure(app, request, response.status)
    // Cookies and session JSON must never be cached by a shared cache.
    reply.header('cache-control', 'no-store')
    return sendWebResponse(reply, response)
  }

  const routeOptions = { bodyLimit: AUTH_BODY_LIMIT, config: { surface: 'api' as const } }
  app.route({ method: ['GET', 'POST'], url: `${AUTH_BASE_PATH}/*`, handler, ...routeOptions })
  // Registered so that no other method (or the bare prefix) ever falls through
  // to the /api proxy: the auth namespace belongs to the gateway.
  app.route({
    method: ['PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: `${AUTH_BASE_PATH}/*`,
    handler: async () => {
      throw new UnsupportedAuthMethod()
    },
    ...routeOptions,
  })
  app.all(AUTH_BASE_PATH, routeOptions, async (_request, reply) => reply.callNotFound())
}
