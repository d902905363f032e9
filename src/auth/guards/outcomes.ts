// Counts what became of each password request for /metrics: sign-ins and
// sign-ups by outcome, and every password request a limit answered 429.
// Outermost of the guards that judge a call, so it sees the final answer
// (a throttle's 429, the admission's refusal, Better Auth's own verdict).
// Only in the chain when metrics are on (auth/plugin.ts).

import { AuthBusy, ClientGone } from '../../http/errors.ts'
import type { AuthOutcomes, Outcome } from '../../metrics/auth-outcomes.ts'
import { AUTH_BASE_PATH } from '../better-auth.ts'
import type { Guard } from './call.ts'
import { HASHING_PATHS } from './password-admission.ts'

const SIGN_IN_PATH = `${AUTH_BASE_PATH}/sign-in/email`
const SIGN_UP_PATH = `${AUTH_BASE_PATH}/sign-up/email`

/**
 * A guard that passes every call on unchanged and records, for a hashing
 * endpoint, its outcome into `outcomes`; a rejection is recorded, then rethrown.
 */
export function outcomesGuard(outcomes: AuthOutcomes): Guard {
  return async (call, next) => {
    const path = call.url.pathname
    if (!HASHING_PATHS.has(path)) return next(call)
    const record =
      path === SIGN_IN_PATH
        ? (o: Outcome) => outcomes.signIn(o)
        : path === SIGN_UP_PATH
          ? (o: Outcome) => outcomes.signUp(o)
          : undefined
    let response: Response
    try {
      response = await next(call)
    } catch (err) {
      record?.(err instanceof AuthBusy || err instanceof ClientGone ? 'refused' : 'error')
      throw err
    }
    if (response.status === 429) outcomes.passwordThrottled++
    record?.(outcomeOf(response.status, path === SIGN_IN_PATH))
    return response
  }
}

/**
 * 2xx success; 401 on a sign-in: wrong email or password; 429: a limit
 * (per account, per address, the queue's per-address share); other 4xx:
 * rejected (malformed, an email already taken, unverified); 5xx: error
 * (the database unreachable).
 */
export function outcomeOf(status: number, signIn: boolean): Outcome {
  if (status >= 200 && status < 300) return 'success'
  if (status === 401 && signIn) return 'bad_credentials'
  if (status === 429) return 'throttled'
  if (status >= 500) return 'error'
  return 'rejected'
}
