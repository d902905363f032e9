// Runs before every proxied request, plain or websocket upgrade: decides the
// policy on the normalised path, validates the session, and records the
// identity that upstream-headers.ts will inject. Fails closed: a session that
// cannot be validated is answered 503 and never forwarded.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { BadPath, SessionStoreUnavailable, Unauthorized } from './errors.ts'
import { normalizePolicyPath, requiresAuth } from './path-policy.ts'
import type { LookupSession, SignedIn } from './session-lookup.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated identity for this request, or null when anonymous. */
    identity: SignedIn | null
  }
}

export interface GateOptions {
  lookupSession: LookupSession
  /** Normalised AUTH_REQUIRED_PATHS (see path-policy.ts). */
  protectedPrefixes: string[]
  /** The prefix this proxy was routed on, e.g. /api. */
  routePrefix: string
  /** 'page': anonymous browsers are redirected to sign in; 'api': they get 401 JSON. */
  surface: 'page' | 'api'
}

export function createIdentityGate({ lookupSession, protectedPrefixes, routePrefix, surface }: GateOptions) {
  const routePrefixes = [routePrefix]
  return async function identityGate(request: FastifyRequest, reply: FastifyReply) {
    const path = normalizePolicyPath(request.url)
    if (!path.ok) throw new BadPath(path.reason)
    // The router chose this upstream on the raw path; the policy must be about
    // the same place. A spelling that normalises out of the routed prefix is
    // refused rather than judged by the wrong rules.
    if (!requiresAuth(path.path, routePrefixes)) throw new BadPath('path normalises outside its route')
    const required = requiresAuth(path.path, protectedPrefixes)

    const lookup = await lookupSession(request.headers.cookie)
    if (lookup.state === 'unavailable') {
      request.log.warn({ err: lookup.error }, 'session validation failed; refusing to forward')
      throw new SessionStoreUnavailable()
    }
    if (lookup.setCookie.length > 0) reply.header('set-cookie', lookup.setCookie)
    if (lookup.state === 'signed-in') {
      request.identity = lookup
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
