// Runs before every proxied request, plain or websocket upgrade: decides the
// policy on the normalised path, validates the session, and records the
// identity that upstream-headers.ts will inject. Fails closed: a session that
// cannot be validated is answered 503 and never forwarded.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Auth } from './auth.ts'
import { BadPath, SessionStoreUnavailable, Unauthorized } from './errors.ts'
import type { Identity } from './identity-headers.ts'
import { normalizePolicyPath, requiresAuth } from './path-policy.ts'
import { lookupSession } from './session-lookup.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated identity for this request, or null when anonymous. */
    identity: Identity | null
  }
}

export interface GateOptions {
  auth: Auth
  /** Normalised AUTH_REQUIRED_PATHS (see path-policy.ts). */
  protectedPrefixes: string[]
  /** The prefix this proxy was routed on, e.g. /api. */
  routePrefix: string
  /** 'page': anonymous browsers are redirected to sign in; 'api': they get 401 JSON. */
  surface: 'page' | 'api'
}

export function createIdentityGate({ auth, protectedPrefixes, routePrefix, surface }: GateOptions) {
  return async function identityGate(request: FastifyRequest, reply: FastifyReply) {
    const path = normalizePolicyPath(request.url)
    if (!path.ok) throw new BadPath(path.reason)
    // The router chose this upstream on the raw path; the policy must be about
    // the same place. A spelling that normalises out of the routed prefix is
    // refused rather than judged by the wrong rules.
    if (!requiresAuth(path.path, [routePrefix])) throw new BadPath('path normalises outside its route')
    const required = requiresAuth(path.path, protectedPrefixes)

    const cookie = request.headers.cookie
    const lookup = await lookupSession(auth, new Headers(cookie === undefined ? {} : { cookie }))
    if (lookup.state === 'unavailable') {
      request.log.warn({ err: lookup.error }, 'session validation failed; refusing to forward')
      throw new SessionStoreUnavailable()
    }
    if (lookup.setCookie.length > 0) reply.header('set-cookie', lookup.setCookie)
    if (lookup.state === 'signed-in') {
      request.identity = lookup.identity
      return
    }
    if (!required) return
    if (surface === 'page' && wantsPage(request)) {
      return reply.redirect(`/auth/sign-in?returnTo=${encodeURIComponent(request.url)}`, 303)
    }
    throw new Unauthorized()
  }
}

/** A browser navigation, as opposed to a fetch from a page's script. */
function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const accept = request.headers.accept
  return accept === undefined || accept.includes('text/html') || accept.includes('*/*')
}
