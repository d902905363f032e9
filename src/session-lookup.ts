// Resolves the identity behind a request's session cookie, for the proxy.
// Three outcomes, because failing closed needs the third: a database that
// cannot answer is neither "signed in" nor "anonymous".

import type { Auth } from './auth.ts'
import { hasSessionCookie } from './auth-cookies.ts'
import type { Identity } from './identity-headers.ts'

export type SessionLookup =
  | { state: 'anonymous'; setCookie: string[] }
  | { state: 'signed-in'; identity: Identity; setCookie: string[] }
  | { state: 'unavailable'; error: unknown }

const NOTHING: SessionLookup = { state: 'anonymous', setCookie: [] }

export async function lookupSession(auth: Auth, headers: Headers): Promise<SessionLookup> {
  if (!hasSessionCookie(headers.get('cookie') ?? undefined)) return NOTHING
  let result: Awaited<ReturnType<typeof getSession>>
  try {
    result = await getSession(auth, headers)
  } catch (error) {
    // Better Auth throws UNAUTHORIZED for a session that vanished mid-refresh;
    // anything else (a database error) is a failure to validate.
    if (isUnauthorized(error)) return NOTHING
    return { state: 'unavailable', error }
  }
  // Set-Cookie carries a refreshed expiry or a clearing cookie; the browser
  // must get it even though the response itself comes from the upstream.
  const setCookie = result.headers.getSetCookie()
  const data = result.response
  if (data === null) return { state: 'anonymous', setCookie }
  return {
    state: 'signed-in',
    identity: { userId: data.user.id, email: data.user.email, name: data.user.name },
    setCookie,
  }
}

function getSession(auth: Auth, headers: Headers) {
  // returnHeaders: without it, server-side getSession drops the refresh cookie.
  return auth.api.getSession({ headers, returnHeaders: true })
}

function isUnauthorized(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 'UNAUTHORIZED'
  )
}
