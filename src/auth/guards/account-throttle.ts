// Applies the per-account limit on failed sign-ins (account-throttle.ts) to
// the one endpoint that checks a password for an email. The form on the
// gateway's own page reaches it through the same path, so both share a budget.

import type { SignInFailures } from '../account-throttle.ts'
import { AUTH_BASE_PATH } from '../better-auth.ts'
import type { Guard } from './call.ts'

const SIGN_IN_PATH = `${AUTH_BASE_PATH}/sign-in/email`

/**
 * A guard that answers 429 TOO_MANY_ATTEMPTS, with Retry-After in seconds,
 * while `throttle` locks the sign-in's email, and otherwise records the
 * answer: 200 clears the account's failures, 401 counts one. Other statuses
 * (malformed input, refusals, outages) say nothing about the password and
 * count for nothing. Calls other than email sign-in pass untouched.
 */
export function accountThrottleGuard(throttle: SignInFailures): Guard {
  return async (call, next) => {
    const email = call.json?.email
    if (call.url.pathname !== SIGN_IN_PATH || typeof email !== 'string') return next(call)

    const wait = await throttle.retryAfter(email)
    if (wait > 0) return tooManyAttempts(wait)
    const response = await next(call)
    if (response.status === 200) await throttle.recordSuccess(email)
    else if (response.status === 401) await throttle.recordFailure(email)
    return response
  }
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
