// The gateway's own pages: sign in, sign up, account. Each form post is
// checked for same-origin (login CSRF), then handed to Better Auth's own
// handler, so its validation, rate limits and cookies apply unchanged.
import cookie from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AUTH_BASE_PATH } from '../../src/auth/better-auth.ts'
import { raiseAuthFailure } from '../../src/auth/failure.ts'
import { safeReturnTo } from '../../src/auth/redirects.ts'
import { clientGoneSignal, toAuthRequest } from '../../src/auth/web-request.ts'
import type { Config } from '../../src/config/config.ts'
import { CrossOriginForm, SessionStoreUnavailable } from '../../src/http/errors.ts'
import { PAGE_CSP, STYLESHEET_PATH } from '../../src/http/html.ts'
import { isAuthCookieName } from '../../src/proxy/auth-cookies.ts'
import type { Identity } from '../../src/session/identity-headers.ts'
import { accountView, type FormState, STYLESHEET, signInView, signUpView } from './views.ts'

type Form = Record<string, string | undefined>
const FORM_LIMIT = 16 * 1024
const page = { config: { surface: 'page' as const } }

export default async function pageRoutes(app: FastifyInstance, { config }: { config: Config }) {
  // Registered in this scope only, so proxied requests never run its hook; the
  // session lookup keeps the raw Cookie header (docs/architecture.md says why).
  await app.register(cookie)
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  )
  app.addHook('onSend', async (_request, reply, payload) => {
    reply
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin')
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    return payload
  })

  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(body)

  /**
   * Only our own pages (or a trusted origin) may post here (login CSRF).
   * Browsers send Origin on every form POST, so its absence means either a
   * non-browser client, which has the JSON API, or something being hidden.
   */
  function assertSameOrigin(request: FastifyRequest) {
    const origin = request.headers.origin
    if (origin === undefined || !config.trustedOrigins.includes(origin)) throw new CrossOriginForm()
  }

  /** Posts `json` to a Better Auth endpoint on the user's behalf; null on success. */
  async function callAuth(request: FastifyRequest, reply: FastifyReply, path: string, json: unknown) {
    assertSameOrigin(request)
    const response = await app.authHandler(
      toAuthRequest(request, config.publicUrl, { path, method: 'POST', json }),
      clientGoneSignal(reply),
    )
    if (response.status >= 500) return raiseAuthFailure(app, request, response.status)
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) reply.header('set-cookie', cookies)
    if (response.ok) return null
    const retryAfter = response.headers.get('retry-after')
    if (retryAfter !== null) reply.header('retry-after', retryAfter)
    const body = (await response.json().catch(() => ({}))) as { message?: string }
    return { status: response.status, message: body.message ?? 'Request refused' }
  }

  async function currentIdentity(request: FastifyRequest, reply: FastifyReply): Promise<Identity | null> {
    const lookup = await app.lookupSession(request.headers.cookie)
    if (lookup.state === 'unavailable') throw new SessionStoreUnavailable()
    if (lookup.setCookie.length > 0) reply.header('set-cookie', lookup.setCookie)
    return lookup.state === 'signed-in' ? lookup.identity : null
  }

  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  )

  app.get<{ Querystring: { returnTo?: string } }>('/auth/sign-in', page, async (request, reply) =>
    html(reply, signInView({ returnTo: safeReturnTo(request.query.returnTo) })),
  )
  app.get<{ Querystring: { returnTo?: string } }>('/auth/sign-up', page, async (request, reply) =>
    html(reply, signUpView({ returnTo: safeReturnTo(request.query.returnTo) })),
  )

  app.post<{ Body: Form }>('/auth/sign-in', page, async (request, reply) => {
    const form = request.body ?? {}
    const state: FormState = { returnTo: safeReturnTo(form.returnTo), email: form.email }
    const failed = await callAuth(request, reply, `${AUTH_BASE_PATH}/sign-in/email`, {
      email: form.email,
      password: form.password,
    })
    if (failed === null) return reply.redirect(state.returnTo, 303)
    return html(reply, signInView({ ...state, error: failed.message }), failed.status)
  })

  app.post<{ Body: Form }>('/auth/sign-up', page, async (request, reply) => {
    const form = request.body ?? {}
    const state: FormState = { returnTo: safeReturnTo(form.returnTo), email: form.email, name: form.name }
    const failed = await callAuth(request, reply, `${AUTH_BASE_PATH}/sign-up/email`, {
      name: form.name,
      email: form.email,
      password: form.password,
    })
    if (failed === null) return reply.redirect(state.returnTo, 303)
    return html(reply, signUpView({ ...state, error: failed.message }), failed.status)
  })

  app.get('/auth/account', page, async (request, reply) => {
    const identity = await currentIdentity(request, reply)
    if (identity === null) return reply.redirect('/auth/sign-in?returnTo=%2Fauth%2Faccount', 303)
    return html(reply, accountView(identity, {}))
  })

  app.post<{ Body: Form }>('/auth/account/password', page, async (request, reply) => {
    const identity = await currentIdentity(request, reply)
    if (identity === null) return reply.redirect('/auth/sign-in?returnTo=%2Fauth%2Faccount', 303)
    const form = request.body ?? {}
    const failed = await callAuth(request, reply, `${AUTH_BASE_PATH}/change-password`, {
      currentPassword: form.currentPassword,
      newPassword: form.newPassword,
      // A password change is usually a response to a suspected compromise.
      revokeOtherSessions: true,
    })
    if (failed !== null) return html(reply, accountView(identity, { error: failed.message }), failed.status)
    return html(reply, accountView(identity, { notice: 'Password changed; other devices were signed out.' }))
  })

  app.post('/auth/sign-out', page, async (request, reply) => {
    await callAuth(request, reply, `${AUTH_BASE_PATH}/sign-out`, {})
    clearLeftoverAuthCookies(request, reply)
    return reply.redirect('/auth/sign-in', 303)
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
  for (const name of Object.keys(request.cookies)) {
    if (!isAuthCookieName(name) || cleared.has(name)) continue
    // Browsers accept a prefixed cookie, even one that deletes, only with Secure.
    const prefixed = /^__(secure|host)-/i.test(name)
    reply.clearCookie(name, { path: '/', secure: prefixed, httpOnly: true, sameSite: 'lax' })
  }
}

function nameOf(setCookie: string): string {
  return setCookie.slice(0, setCookie.indexOf('=')).trim()
}
