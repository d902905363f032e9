// A disabled user (user.disabled_at, set by `npm run admin -- users
// disable`) gets no new session: Better Auth creates one only after checking
// the password, so the refusal comes with a clear code instead of looking
// like a wrong password. Existing sessions are the session lookup's to
// refuse (src/session/rows.ts and lookup.ts).
import { APIError } from 'better-auth/api'

/** The JSON `code` of a refused sign-in; the pages word it (routes/pages/error-messages.ts). */
export const ACCOUNT_DISABLED = 'ACCOUNT_DISABLED'

/** What the check needs of a user row: Better Auth returns it with its additional fields. */
export interface UserStatus {
  disabledAt?: Date | null
}

/**
 * Resolves when `user` may have a new session; throws Better Auth's APIError
 * (403, code ACCOUNT_DISABLED) when it is disabled. A missing user (null) is
 * Better Auth's to refuse.
 */
export function refuseDisabledUser(user: UserStatus | null): void {
  if (user?.disabledAt != null) {
    throw new APIError('FORBIDDEN', {
      code: ACCOUNT_DISABLED,
      message: 'This account is disabled; ask an administrator to enable it',
    })
  }
}
