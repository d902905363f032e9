// The gateway's own pages: sign in, sign up, account. Each form post is
// checked for same-origin (login CSRF), then handed to Better Auth's own
// handler, so its validation, rate limits, cookies and hooks apply unchanged.
// No script anywhere: the pages work with JavaScript off and under PAGE_CSP.
import cookie from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config/config.ts'
import { PAGE_CSP, STYLESHEET_PATH } from '../../src/http/html.ts'
import { accountRoutes } from './account-routes.ts'
import { sessionTokenReader } from './account-sessions.ts'
import { createPageContext } from './page-context.ts'
import { signInRoutes } from './sign-in-routes.ts'
import { signOutRoute } from './sign-out.ts'
import { STYLESHEET } from './views/stylesheet.ts'

const FORM_LIMIT = 16 * 1024

export default async function pageRoutes(
  app: FastifyInstance,
  { config }: { config: Config & { secret: string } },
) {
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

  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  )

  const context = createPageContext(app, config)
  // The cookie's name as Better Auth resolved it (a __Secure- prefix on https).
  const { authCookies } = await app.auth.$context
  signInRoutes(app, context)
  accountRoutes(app, context, sessionTokenReader(authCookies.sessionToken.name, config.secret))
  signOutRoute(app, context)
}
