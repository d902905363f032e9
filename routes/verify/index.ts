// Forward-auth for a proxy in front of the gateway (nginx auth_request, Caddy
// forward_auth, Traefik ForwardAuth): 200 with the identity headers for a
// valid session, 401 without one, 503 when the session cannot be validated.
// Same session cache as the built-in proxy, so it costs no query when hot.
// Which paths need a session is the calling proxy's configuration.
import type { FastifyInstance } from 'fastify'
import { SessionStoreUnavailable, Unauthorized } from '../../src/http/errors.ts'
import { logDuplicateCookie } from '../../src/proxy/identity-gate.ts'

export default async function verifyRoutes(app: FastifyInstance) {
  // Any method: Traefik forwards the original one; nginx and Caddy use GET.
  app.all('/verify', { config: { surface: 'api' } }, async (request, reply) => {
    const lookup = await app.lookupSession(request.headers.cookie)
    if (lookup.state === 'unavailable') throw new SessionStoreUnavailable()
    reply.header('cache-control', 'no-store')
    if (lookup.setCookie.length > 0) reply.header('set-cookie', lookup.setCookie)
    if (lookup.state === 'anonymous') {
      if (lookup.duplicateCookie) logDuplicateCookie(request)
      throw new Unauthorized()
    }
    return reply.code(200).headers(lookup.headers).send()
  })
}
