// The public keys that sign X-User-Assertion, as a JWKS (RFC 7517). A
// verifier may keep it for max-age; a key is published well before it signs
// (assertion/plugin.ts), so a verifier honouring max-age never meets an
// unknown kid in an ordinary rotation. The ETag lets it revalidate for free.
import type { FastifyInstance } from 'fastify'
import { JWKS_MAX_AGE_SECONDS } from '../../src/assertion/plugin.ts'

const JWKS_PATH = '/.well-known/jwks.json'

export default async function jwksRoutes(app: FastifyInstance) {
  app.get(JWKS_PATH, { config: { surface: 'api' } }, async (request, reply) => {
    const jwks = app.keyRing.jwks()
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).header('etag', jwks.etag)
    if (matchesEtag(request.headers['if-none-match'], jwks.etag)) return reply.code(304).send()
    return reply.type('application/json; charset=utf-8').send(jwks.body)
  })
}

/**
 * If-None-Match by RFC 9110 §13.1.2: a list of tags or `*`, compared weakly
 * (a `W/` prefix on either side does not matter).
 */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque)
}
