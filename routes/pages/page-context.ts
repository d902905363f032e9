// What every page route needs: rendering in the layout, the same-origin check
// on posts, the signed-in identity, and calls into Better Auth on the user's
// behalf through the guarded handler (so its rules and hooks all apply).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { raiseAuthFailure } from '../../src/auth/failure.ts'
import { clientGoneSignal, toAuthRequest } from '../../src/auth/web-request.ts'
import type { Config } from '../../src/config/config.ts'
import { CrossOriginForm, SessionStoreUnavailable } from '../../src/http/errors.ts'
import { layout } from '../../src/http/html.ts'
import type { Identity } from '../../src/session/identity-headers.ts'
import { type FormName, plainMessage, retryAfterSeconds, validationField } from './error-messages.ts'
import type { Page } from './views/parts.ts'

/** Better Auth's answer: its JSON on success, or the refusal in plain words. */
export type AuthAnswer =
  | { ok: true; data: unknown }
  | { ok: false; status: number; code: string | undefined; message: string }

export interface AuthCallOptions {
  method?: 'GET' | 'POST'
  json?: unknown
  /** Which form's wording a refusal gets (error-messages.ts). */
  form: FormName
}

export interface PageContext {
  /** Sends `page` in the layout, with APP_NAME. */
  render(reply: FastifyReply, page: Page, status?: number): FastifyReply
  /**
   * Only our own pages (or a trusted origin) may post here (login CSRF).
   * Browsers send Origin on every form POST, so its absence means either a
   * non-browser client, which has the JSON API, or something being hidden.
   */
  assertSameOrigin(request: FastifyRequest): void
  /**
   * The signed-in identity, or null. Throws SessionStoreUnavailable (503 with
   * Retry-After) when the session cannot be validated: never guess either way.
   */
  currentIdentity(request: FastifyRequest, reply: FastifyReply): Promise<Identity | null>
  /** Calls a Better Auth endpoint (`path` under the public origin) as the visitor; POSTs are origin-checked. */
  callAuth(
    request: FastifyRequest,
    reply: FastifyReply,
    path: string,
    options: AuthCallOptions,
  ): Promise<AuthAnswer>
}

export function createPageContext(app: FastifyInstance, config: Config): PageContext {
  const assertSameOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin
    if (origin === undefined || !config.trustedOrigins.includes(origin)) throw new CrossOriginForm()
  }
  return {
    render: (reply, page, status = 200) =>
      reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(layout(page.title, page.body, { brand: config.appName, wide: page.wide })),

    assertSameOrigin,

    async currentIdentity(request, reply) {
      const lookup = await app.lookupSession(request.headers.cookie)
      if (lookup.state === 'unavailable') throw new SessionStoreUnavailable()
      if (lookup.setCookie.length > 0) reply.header('set-cookie', lookup.setCookie)
      return lookup.state === 'signed-in' ? lookup.identity : null
    },

    async callAuth(request, reply, path, { method = 'POST', json, form }) {
      if (method === 'POST') assertSameOrigin(request)
      const response = await app.authHandler(
        toAuthRequest(request, config.publicUrl, {
          path,
          method,
          json: method === 'POST' ? json : undefined,
        }),
        clientGoneSignal(reply),
      )
      if (response.status >= 500) return raiseAuthFailure(app, request, response.status)
      const cookies = response.headers.getSetCookie()
      if (cookies.length > 0) reply.header('set-cookie', cookies)
      const body = (await response.json().catch(() => undefined)) as unknown
      if (response.ok) return { ok: true, data: body }
      const retryAfter = response.headers.get('retry-after')
      if (retryAfter !== null) reply.header('retry-after', retryAfter)
      const refused = body as { code?: unknown; message?: unknown } | undefined
      const code = typeof refused?.code === 'string' ? refused.code : undefined
      const refusal = {
        status: response.status,
        code,
        retryAfterSeconds: retryAfterSeconds(retryAfter),
        field: validationField(code, refused?.message),
      }
      return { ok: false, status: refusal.status, code: refusal.code, message: plainMessage(refusal, form) }
    },
  }
}
