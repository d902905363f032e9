// Requests that hash a password enter Better Auth a few at a time
// (password/admission.ts); everything else goes straight in, so a sign-in
// storm never delays get-session or sign-out.

import { AuthBusy, ClientGone } from '../../http/errors.ts'
import { AUTH_BASE_PATH } from '../better-auth.ts'
import type { PasswordAdmission, Refusal } from '../password/admission.ts'
import type { Guard } from './call.ts'

/**
 * The endpoints that run scrypt (better-auth/dist/api/routes: every caller of
 * ctx.context.password.hash or .verify that is reachable over HTTP).
 */
export const HASHING_PATHS: ReadonlySet<string> = new Set(
  [
    '/sign-in/email',
    '/sign-up/email',
    '/change-password',
    '/reset-password',
    '/verify-password',
    '/delete-user',
  ].map((endpoint) => `${AUTH_BASE_PATH}${endpoint}`),
)

/**
 * A guard that runs the rest of the chain for a hashing endpoint once
 * `admission` gives it a place, keyed on the call's client address.
 * Refusals: the queue is full → throws AuthBusy (503); the client left while
 * waiting → throws ClientGone (499); the address already holds its share →
 * answers 429 TOO_MANY_CONCURRENT with Retry-After: 2 (seconds).
 */
export function passwordAdmissionGuard(admission: PasswordAdmission): Guard {
  return (call, next) =>
    HASHING_PATHS.has(call.url.pathname)
      ? admission.run(call.clientIp, () => next(call), refusal, call.clientGone)
      : next(call)
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
