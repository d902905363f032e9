// Sign-in and sign-up: the forms, and their posts handed to Better Auth.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AUTH_BASE_PATH } from '../../src/auth/better-auth.ts'
import { safeReturnTo } from '../../src/auth/redirects.ts'
import type { PageContext } from './page-context.ts'
import type { Page } from './views/parts.ts'
import { signInView } from './views/sign-in.ts'
import { signUpView } from './views/sign-up.ts'

export type Form = Record<string, string | undefined>
type FormQuery = { Querystring: { returnTo?: string } }
const page = { config: { surface: 'page' as const } }

export function signInRoutes(app: FastifyInstance, context: PageContext): void {
  const { render, callAuth, currentIdentity } = context

  /**
   * Someone already signed in who lands on a form (a bookmark, the back
   * button, a second tab) goes straight on to where the form would have sent
   * them. A session that cannot be checked (database down) is the 503 of
   * currentIdentity: the form would only fail the same way once filled in.
   */
  const formOrOnward =
    (view: (returnTo: string) => Page) => async (request: FastifyRequest<FormQuery>, reply: FastifyReply) => {
      const returnTo = safeReturnTo(request.query.returnTo)
      if ((await currentIdentity(request, reply)) !== null) return reply.redirect(returnTo, 303)
      return render(reply, view(returnTo))
    }

  app.get<FormQuery>(
    '/auth/sign-in',
    page,
    formOrOnward((returnTo) => signInView({ returnTo })),
  )
  app.get<FormQuery>(
    '/auth/sign-up',
    page,
    formOrOnward((returnTo) => signUpView({ returnTo })),
  )

  app.post<{ Body: Form }>('/auth/sign-in', page, async (request, reply) => {
    const form = request.body ?? {}
    const returnTo = safeReturnTo(form.returnTo)
    // A checkbox is sent only when ticked; any value then means yes.
    const rememberMe = form.rememberMe !== undefined
    const answer = await callAuth(request, reply, `${AUTH_BASE_PATH}/sign-in/email`, {
      json: { email: form.email, password: form.password, rememberMe },
      form: 'sign-in',
    })
    if (answer.ok) return reply.redirect(returnTo, 303)
    const view = signInView({ returnTo, email: form.email, rememberMe, error: answer.message })
    return render(reply, view, answer.status)
  })

  app.post<{ Body: Form }>('/auth/sign-up', page, async (request, reply) => {
    const form = request.body ?? {}
    const returnTo = safeReturnTo(form.returnTo)
    const answer = await callAuth(request, reply, `${AUTH_BASE_PATH}/sign-up/email`, {
      json: { name: form.name, email: form.email, password: form.password },
      form: 'sign-up',
    })
    if (answer.ok) return reply.redirect(returnTo, 303)
    const view = signUpView({ returnTo, email: form.email, name: form.name, error: answer.message })
    return render(reply, view, answer.status)
  })
}
