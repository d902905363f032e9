// Every call into Better Auth goes through here, from the JSON mount and from
// the gateway's own pages alike, so the rules cannot be sidestepped by
// choosing the other door. Each rule is a guard in guards/; the chain below
// runs them in order on the way in and in reverse on the way out:
//
// -. legacy-session-cookie (https only): outermost, so every rule below, and
//    Better Auth, sees the __Secure- cookies of before the __Host- prefix
//    already renamed (inside the migration window) or dropped.
// -. outcomes (with metrics on): outside every rule that can answer, so it
//    counts the final answer of each password request (guards/outcomes.ts).
// 0. duplicate-session-cookie: first of all, so a request carrying the
//    session cookie twice (cookie tossing) reaches nothing and is answered
//    400 with every copy cleared.
// 1. redirect-targets: so every later guard and Better Auth itself
//    see only same-origin redirect targets.
// 2. token-removal: the last to see an answer on the way out, so no answer
//    from Better Auth or from a guard inside it can carry a raw session token.
// 3. retry-after: outside the throttle and the admission, so it sees every
//    429; the gateway's own 429s already carry Retry-After and keep it.
// 4. account-throttle: before the admission, so a locked account is refused
//    without taking a place in the queue; and outside it, so it records only
//    what Better Auth answered: a refusal (429, 503, 499) counts as no failure.
// 5. password-admission: last, right before Better Auth, so a place is held
//    only while Better Auth works, never while another guard does.

import type { MoveLegacyCookies } from '../http/legacy-cookies.ts'
import type { AuthOutcomes } from '../metrics/auth-outcomes.ts'
import type { SignInFailures } from './account-throttle.ts'
import type { Auth } from './better-auth.ts'
import { accountThrottleGuard } from './guards/account-throttle.ts'
import { type Guard, type Next, readAuthCall } from './guards/call.ts'
import {
  type DuplicateCookieOptions,
  duplicateSessionCookieGuard,
} from './guards/duplicate-session-cookie.ts'
import { legacySessionCookieGuard } from './guards/legacy-session-cookie.ts'
import { outcomesGuard } from './guards/outcomes.ts'
import { passwordAdmissionGuard } from './guards/password-admission.ts'
import { redirectTargetsGuard } from './guards/redirect-targets.ts'
import { retryAfterGuard } from './guards/retry-after.ts'
import { tokenRemovalGuard } from './guards/token-removal.ts'
import type { PasswordAdmission } from './password/admission.ts'

/** `clientGone` aborts when the client closes its connection before the answer. */
export type AuthHandler = (request: Request, clientGone?: AbortSignal) => Promise<Response>

/**
 * Better Auth's handler behind the guards. The returned handler answers with
 * Better Auth's Response or a guard's own; it rejects with AuthBusy (503) or
 * ClientGone (499) when the password admission refuses a call, and with
 * whatever Better Auth itself throws. With `outcomes` (metrics on), each
 * password request's outcome is counted there.
 */
export function createGuardedAuthHandler(
  auth: Auth,
  throttle: SignInFailures,
  admission: PasswordAdmission,
  cookies: DuplicateCookieOptions & { moveLegacyCookies?: MoveLegacyCookies },
  outcomes?: AuthOutcomes,
): AuthHandler {
  const legacy =
    cookies.moveLegacyCookies === undefined ? [] : [legacySessionCookieGuard(cookies.moveLegacyCookies)]
  const guarded = chain(
    [
      ...legacy,
      ...(outcomes === undefined ? [] : [outcomesGuard(outcomes)]),
      duplicateSessionCookieGuard(cookies),
      redirectTargetsGuard,
      tokenRemovalGuard,
      retryAfterGuard,
      accountThrottleGuard(throttle),
      passwordAdmissionGuard(admission),
    ],
    (call) => auth.handler(call.request),
  )
  return async function guardedAuth(request, clientGone) {
    return guarded(await readAuthCall(request, clientGone))
  }
}

/** `guards` wrapped around `last`, the first guard outermost. */
function chain(guards: readonly Guard[], last: Next): Next {
  return guards.reduceRight<Next>((next, guard) => (call) => guard(call, next), last)
}
