// Every call into Better Auth goes through here, from the JSON mount and from
// the gateway's own pages alike, so the rules below cannot be sidestepped by
// choosing the other door:
// - redirect targets (callbackURL and friends) must be same-origin paths;
// - failed sign-ins are limited per account, not only per IP;
// - the raw session token never appears in JSON a page script can read;
// - a throttled answer carries the standard Retry-After;
// - requests that hash a password enter Better Auth a few at a time
//   (password-admission.ts).

import { AuthBusy, ClientGone } from '../http/errors.ts'
import type { AccountThrottle } from './account-throttle.ts'
import { type Auth, CLIENT_IP_HEADER } from './better-auth.ts'
import type { PasswordAdmission, Refusal } from './password/admission.ts'
import { safeReturnTo } from './redirects.ts'

/** `clientGone` aborts when the client closes its connection before the answer. */
export type AuthHandler = (request: Request, clientGone?: AbortSignal) => Promise<Response>

const REDIRECT_FIELDS = ['callbackURL', 'redirectTo', 'errorCallbackURL', 'newUserCallbackURL'] as const
const SIGN_IN_PATH = '/api/auth/sign-in/email'
// Endpoints whose JSON carries the raw session token (Better Auth puts it
// there for bearer-token clients; this gateway uses the HttpOnly cookie only).
const TOKEN_BEARING = new Set(['/api/auth/get-session', '/api/auth/sign-in/email', '/api/auth/sign-up/email'])
// The endpoints that run scrypt (better-auth/dist/api/routes: every caller of
// ctx.context.password.hash or .verify that is reachable over HTTP).
const HASHING = new Set([
  '/api/auth/sign-in/email',
  '/api/auth/sign-up/email',
  '/api/auth/change-password',
  '/api/auth/reset-password',
  '/api/auth/verify-password',
  '/api/auth/delete-user',
])

export function createGuardedAuthHandler(
  auth: Auth,
  throttle: AccountThrottle,
  admission: PasswordAdmission,
): AuthHandler {
  return async function guardedAuth(incoming: Request, clientGone?: AbortSignal): Promise<Response> {
    const { request, json } = await sanitiseRedirects(incoming)
    const url = new URL(request.url)
    const email = url.pathname === SIGN_IN_PATH && typeof json?.email === 'string' ? json.email : undefined

    if (email !== undefined) {
      const wait = throttle.retryAfter(email)
      if (wait > 0) return tooManyAttempts(wait)
    }
    const response = HASHING.has(url.pathname)
      ? await admission.run(
          request.headers.get(CLIENT_IP_HEADER) ?? '',
          () => auth.handler(request),
          refusal,
          clientGone,
        )
      : await auth.handler(request)
    if (email !== undefined) {
      if (response.status === 200) throttle.recordSuccess(email)
      else if (response.status === 401) throttle.recordFailure(email)
    }

    if (response.status === 429 && !response.headers.has('retry-after')) {
      const headers = new Headers(response.headers)
      headers.set('retry-after', response.headers.get('x-retry-after') ?? '60')
      return new Response(response.body, { status: 429, headers })
    }
    if (response.ok && TOKEN_BEARING.has(url.pathname)) return withoutTokens(response)
    return response
  }
}

/** Replaces any redirect field that is not a same-origin path with "/". */
async function sanitiseRedirects(
  request: Request,
): Promise<{ request: Request; json: Record<string, unknown> | null }> {
  const url = new URL(request.url)
  let changedUrl = false
  for (const field of REDIRECT_FIELDS) {
    const value = url.searchParams.get(field)
    if (value !== null && safeReturnTo(value) !== value) {
      url.searchParams.set(field, '/')
      changedUrl = true
    }
  }

  let json: Record<string, unknown> | null = null
  let body: string | undefined
  // Any body is read and tried as JSON, whatever its Content-Type says: the
  // guard must see every body Better Auth could parse ("Application/JSON"
  // included), or a spelling of the header would walk past the throttle.
  if (request.body !== null) {
    body = await request.text()
    try {
      const parsed: unknown = JSON.parse(body)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        json = parsed as Record<string, unknown>
    } catch {
      // Fastify already refused malformed JSON; anything else is Better Auth's to judge.
    }
    if (json !== null) {
      let changedBody = false
      for (const field of REDIRECT_FIELDS) {
        const value = json[field]
        if (value !== undefined && (typeof value !== 'string' || safeReturnTo(value) !== value)) {
          json[field] = '/'
          changedBody = true
        }
      }
      if (changedBody) body = JSON.stringify(json)
    }
  }
  if (!changedUrl && body === undefined) return { request, json }
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  return { request: new Request(url, { method: request.method, headers, body }), json }
}

async function withoutTokens(response: Response): Promise<Response> {
  const text = await response.text()
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return new Response(text, response)
  }
  if (data !== null && typeof data === 'object') {
    const record = data as { token?: unknown; session?: { token?: unknown } | null }
    delete record.token
    if (record.session && typeof record.session === 'object') delete record.session.token
  }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(JSON.stringify(data), { status: response.status, headers })
}

function refusal(reason: Refusal): Response {
  if (reason === 'busy') throw new AuthBusy()
  if (reason === 'gone') throw new ClientGone()
  return new Response(
    JSON.stringify({
      code: 'TOO_MANY_CONCURRENT',
      message: 'Too many password requests from this address at once; try again shortly',
    }),
    { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '2' } },
  )
}

function tooManyAttempts(retryAfterSeconds: number): Response {
  return new Response(
    JSON.stringify({
      code: 'TOO_MANY_ATTEMPTS',
      message: 'Too many failed sign-ins for this account; try again later',
    }),
    {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': String(retryAfterSeconds) },
    },
  )
}
