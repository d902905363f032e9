// Sign-out: Better Auth ends the session and clears its cookies; the gateway
// then clears whatever else of the family the browser still holds.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AUTH_BASE_PATH } from '../../src/auth/better-auth.ts'
import { safeReturnTo } from '../../src/auth/redirects.ts'
import { isAuthCookieName } from '../../src/proxy/auth-cookies.ts'
import type { PageContext } from './page-context.ts'
import type { Form } from './sign-in-routes.ts'
import { returnToQuery } from './views/parts.ts'

const page = { config: { surface: 'page' as const } }
// RFC 6265 §4.1.1 cookie-name: an RFC 7230 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

export function signOutRoute(app: FastifyInstance, { callAuth }: PageContext): void {
  app.post<{ Body: Form }>('/auth/sign-out', page, async (request, reply) => {
    await callAuth(request, reply, `${AUTH_BASE_PATH}/sign-out`, { json: {}, form: 'sessions' })
    clearLeftoverAuthCookies(request, reply)
    // "Sign out and sign in again" on the account page comes back to it.
    return reply.redirect(`/auth/sign-in${returnToQuery(safeReturnTo(request.body?.returnTo))}`, 303)
  })
}

/**
 * After Better Auth has cleared the cookies of the configuration it runs with
 * (it does so even for a missing or forged session cookie). A browser
 * may hold others of the family (the __Secure- twin from an https deployment,
 * a plugin's cookie, leftovers of an expired session): sign-out clears those
 * too, once each, so nothing of the gateway's stays behind.
 */
function clearLeftoverAuthCookies(request: FastifyRequest, reply: FastifyReply): void {
  const sent = reply.getHeader('set-cookie')
  const cleared = new Set((Array.isArray(sent) ? sent : sent === undefined ? [] : [String(sent)]).map(nameOf))
  // Better Auth cleared nothing: it refused (a rate limit, say), and the
  // session it did not end must not look ended in the browser.
  if (cleared.size === 0) return
  // Pages of the protected docs already went out as no-store; this also
  // empties anything an upstream let the browser keep from before.
  reply.header('clear-site-data', '"cache"')
  for (const name of Object.keys(request.cookies)) {
    // A name that is no RFC 6265 token (a space, non-ASCII: set by page
    // script or a sibling) cannot be written in a Set-Cookie line at all.
    if (!isAuthCookieName(name) || cleared.has(name) || !COOKIE_NAME.test(name)) continue
    // Browsers accept a prefixed cookie, even one that deletes, only with Secure.
    const prefixed = /^__(secure|host)-/i.test(name)
    reply.clearCookie(name, { path: '/', secure: prefixed, httpOnly: true, sameSite: 'lax' })
  }
}

function nameOf(setCookie: string): string {
  return setCookie.slice(0, setCookie.indexOf('=')).trim()
}
