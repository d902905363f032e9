// Better Auth puts the raw session token in the JSON of these endpoints for
// bearer-token clients. This gateway uses the HttpOnly cookie only, and a
// token in JSON is one that page script (an XSS payload) could read.

import { AUTH_BASE_PATH } from '../better-auth.ts'
import type { Guard } from './call.ts'

export const TOKEN_BEARING_PATHS: ReadonlySet<string> = new Set(
  ['/get-session', '/sign-in/email', '/sign-up/email'].map((endpoint) => `${AUTH_BASE_PATH}${endpoint}`),
)

/**
 * A guard that removes `token` and `session.token` from the JSON of a 2xx
 * answer from a token-bearing endpoint. Everything else in the answer (status,
 * headers, other fields) is kept; a body that is not JSON passes as it is.
 */
export const tokenRemovalGuard: Guard = async (call, next) => {
  const response = await next(call)
  if (!response.ok || !TOKEN_BEARING_PATHS.has(call.url.pathname)) return response
  return withoutTokens(response)
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
