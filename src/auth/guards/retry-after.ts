// Better Auth's own rate limit answers 429 with a non-standard X-Retry-After;
// clients and proxies only understand the standard Retry-After (RFC 9110 §10.2.3).

import type { Guard } from './call.ts'

/** Seconds to announce when a 429 says nothing about when to retry. */
const DEFAULT_RETRY_AFTER_SECONDS = '60'

/**
 * A guard that gives a 429 without Retry-After one: the X-Retry-After value
 * (seconds) when present, else 60. Any other answer, and a 429 that already
 * has Retry-After, is returned as it came.
 */
export const retryAfterGuard: Guard = async (call, next) => {
  const response = await next(call)
  if (response.status !== 429 || response.headers.has('retry-after')) return response
  const headers = new Headers(response.headers)
  headers.set('retry-after', response.headers.get('x-retry-after') ?? DEFAULT_RETRY_AFTER_SECONDS)
  return new Response(response.body, { status: 429, headers })
}
