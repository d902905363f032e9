// The account page and its forms: change password, sign out one session,
// sign out every other session. Each form answers with a 303 back to the page
// (post/redirect/get), so a reload never posts again; a refusal re-renders
// the page with the reason, under Better Auth's status.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AUTH_BASE_PATH } from '../../src/auth/better-auth.ts'
import { SessionStoreUnavailable } from '../../src/http/errors.ts'
import type { Identity } from '../../src/session/identity-headers.ts'
import { listUserSessions } from '../../src/session/user-sessions.ts'
import { findOwnSession, type OwnSession, type SessionSummary, summarise } from './account-sessions.ts'
import { accountWithNotice, noticeText } from './notices.ts'
import type { PageContext } from './page-context.ts'
import type { Form } from './sign-in-routes.ts'
import { accountView } from './views/account.ts'

const page = { config: { surface: 'page' as const } }
const SIGN_IN = '/auth/sign-in?returnTo=%2Fauth%2Faccount'
const NOT_YOURS = 'That session was not found among yours. It may have ended already.'

interface LoadedSessions {
  sessions: SessionSummary[]
  /** With tokens: for resolving a posted id, never for rendering. */
  own: OwnSession[]
}

/** `readSessionToken` gives the token of the request's own cookie ("This device"). */
export function accountRoutes(
  app: FastifyInstance,
  context: PageContext,
  readSessionToken: (cookieHeader: string | undefined) => string | undefined,
): void {
  const { render, callAuth, currentIdentity, assertSameOrigin } = context

  /** The token of this request's own session cookie, read as the session lookup reads it (a legacy __Secure- one moved). */
  function currentToken(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie
    const moved = app.moveLegacyCookies?.(header)
    return readSessionToken(moved === undefined ? header : moved.cookieHeader)
  }

  /**
   * The signed-in user's own sessions, from the table (session/user-sessions.ts
   * says why not list-sessions). A database that fails here is the same 503
   * as one that failed the identity lookup a moment before.
   */
  async function loadSessions(request: FastifyRequest, identity: Identity): Promise<LoadedSessions> {
    let own: OwnSession[]
    try {
      own = await listUserSessions(app.database.db, identity.userId)
    } catch (error) {
      request.log.warn({ err: error }, 'could not list the user’s sessions')
      throw new SessionStoreUnavailable()
    }
    return { own, sessions: summarise(own, currentToken(request)) }
  }

  app.get<{ Querystring: { notice?: string } }>('/auth/account', page, async (request, reply) => {
    const identity = await currentIdentity(request, reply)
    if (identity === null) return reply.redirect(SIGN_IN, 303)
    const { sessions } = await loadSessions(request, identity)
    return render(reply, accountView({ identity, sessions, notice: noticeText(request.query.notice) }))
  })

  app.post<{ Body: Form }>('/auth/account/password', page, async (request, reply) => {
    assertSameOrigin(request)
    const identity = await currentIdentity(request, reply)
    if (identity === null) return reply.redirect(SIGN_IN, 303)
    const form = request.body ?? {}
    const answer = await callAuth(request, reply, `${AUTH_BASE_PATH}/change-password`, {
      json: {
        currentPassword: form.currentPassword,
        newPassword: form.newPassword,
        // A password change is usually a response to a suspected compromise.
        revokeOtherSessions: true,
      },
      form: 'change-password',
    })
    // The new session's cookie rides on the redirect; the page is then read with it.
    if (answer.ok) return reply.redirect(accountWithNotice('password-changed'), 303)
    const { sessions } = await loadSessions(request, identity)
    return render(reply, accountView({ identity, sessions, passwordError: answer.message }), answer.status)
  })

  app.post<{ Body: Form }>('/auth/account/sessions/revoke', page, async (request, reply) => {
    assertSameOrigin(request)
    const identity = await currentIdentity(request, reply)
    if (identity === null) return reply.redirect(SIGN_IN, 303)
    const loaded = await loadSessions(request, identity)
    // The id is turned into a token only among the user's own sessions; any
    // other id (another user's session, a guess) changes nothing.
    const target = findOwnSession(loaded.own, request.body?.sessionId)
    if (target === undefined) {
      return render(
        reply,
        accountView({ identity, sessions: loaded.sessions, sessionsError: NOT_YOURS }),
        404,
      )
    }
    const answer = await callAuth(request, reply, `${AUTH_BASE_PATH}/revoke-session`, {
      json: { token: target.token },
      form: 'sessions',
    })
    if (!answer.ok) {
      const view = accountView({ identity, sessions: loaded.sessions, sessionsError: answer.message })
      return render(reply, view, answer.status)
    }
    // Ending this device's own session is a sign-out (Better Auth cleared the cookie).
    if (target.token === currentToken(request)) return reply.redirect('/auth/sign-in', 303)
    return reply.redirect(accountWithNotice('session-revoked'), 303)
  })

  app.post('/auth/account/sessions/revoke-others', page, async (request, reply) => {
    assertSameOrigin(request)
    const identity = await currentIdentity(request, reply)
    if (identity === null) return reply.redirect(SIGN_IN, 303)
    const answer = await callAuth(request, reply, `${AUTH_BASE_PATH}/revoke-other-sessions`, {
      json: {},
      form: 'sessions',
    })
    if (answer.ok) return reply.redirect(accountWithNotice('others-revoked'), 303)
    const { sessions } = await loadSessions(request, identity)
    return render(reply, accountView({ identity, sessions, sessionsError: answer.message }), answer.status)
  })
}
