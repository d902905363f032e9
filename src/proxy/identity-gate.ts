// Runs before every proxied request, plain or websocket upgrade: decides the
// policy on the normalised path, validates the session, and records the
// identity that upstream-headers.ts will inject. Fails closed: a session that
// cannot be validated is answered 503 and never forwarded.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { BadPath, SessionStoreUnavailable, Unauthorized } from '../http/errors.ts'
import { normalizePolicyPath } from '../http/path-normalization.ts'
import { isNavigation } from '../http/request-kind.ts'
import type { ResolvedIdentity, ResolveSession, SessionResult } from '../session/lookup.ts'
import { requiresAuth } from './path-policy.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated identity for this request, or null when anonymous. */
    identity: ResolvedIdentity | null
    /**
     * The answer must not be stored by any cache: it is behind
     * AUTH_REQUIRED_PATHS (a browser would otherwise show it from its cache
     * after sign-out), or it carries the gateway's Set-Cookie.
     */
    privateResponse: boolean
  }
}

export interface GateOptions {
  resolveSession: ResolveSession
  /** Normalised AUTH_REQUIRED_PATHS (see path-policy.ts). */
  protectedPrefixes: string[]
  /** The prefix this proxy was routed on, e.g. /api. */
  routePrefix: string
  /** 'page': anonymous browsers are redirected to sign in; 'api': they get 401 JSON. */
  surface: 'page' | 'api'
}

export function createIdentityGate({ resolveSession, protectedPrefixes, routePrefix, surface }: GateOptions) {
  const routePrefixes = [routePrefix]
  // Callback-style, and synchronous on a cache hit: the hot path then costs
  // no promise at all (see ResolveSession).
  return function identityGate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const path = normalizePolicyPath(request.url)
    if (!path.ok) return done(new BadPath(path.reason))
    // The router chose this upstream on the raw path; the policy must be about
    // the same place. A spelling that normalises out of the routed prefix is
    // refused rather than judged by the wrong rules.
    if (!requiresAuth(path.path, routePrefixes)) return done(new BadPath('path normalises outside its route'))
    const required = requiresAuth(path.path, protectedPrefixes)

    const decide = (lookup: SessionResult): void => {
      if (lookup.state === 'unavailable') {
        request.log.warn({ err: lookup.error }, 'session validation failed; refusing to forward')
        done(new SessionStoreUnavailable())
        return
      }
      if (lookup.setCookie.length > 0) {
        reply.header('set-cookie', lookup.setCookie)
        request.privateResponse = true
      }
      if (lookup.state === 'anonymous' && lookup.duplicateCookie) logDuplicateCookie(request)
      if (lookup.state === 'signed-in') {
        request.identity = lookup
        if (required) request.privateResponse = true
        done()
        return
      }
      if (!required) {
        done()
        return
      }
      // Answered here, so the route (and the proxy) never runs: no done().
      if (surface === 'page' && isNavigation(request.method, request.headers)) {
        reply.redirect(`/auth/sign-in?returnTo=${encodeURIComponent(request.url)}`, 303)
        return
      }
      done(new Unauthorized())
    }

    const lookup = resolveSession(request.headers.cookie)
    if (lookup instanceof Promise) lookup.then(decide).catch(done)
    else decide(lookup)
  }
}

/** A duplicated session cookie is how cookie tossing shows itself: worth a line, never an identity. */
export function logDuplicateCookie(request: FastifyRequest): void {
  request.log.warn(
    { path: request.url.split('?')[0] },
    'the session cookie was sent more than once (planted by another site?); treated as anonymous',
  )
}
