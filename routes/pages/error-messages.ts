// Plain words for what Better Auth and the gateway's guards refuse on the
// pages. Their JSON `message`s are written for developers ("Invalid password",
// "Session is not fresh"); a person needs to know what happened and what to do.
// Keyed on `code`, never on `message`: codes are the stable part of both APIs
// (@better-auth/core/dist/error/codes.mjs; src/auth/guards/*). Pure: the table
// test (test/routes/pages/error-messages.test.ts) covers every row.

/** The forms that show these messages; a code may read differently on one of them. */
export type FormName = 'sign-in' | 'sign-up' | 'change-password' | 'sessions'

/** What a refused call into Better Auth came back with. */
export interface Refusal {
  status: number
  /** The JSON `code`; Better Auth's own rate limit answers 429 without one. */
  code?: string
  /** Seconds from the answer's Retry-After, when it had one. */
  retryAfterSeconds?: number
  /** For VALIDATION_ERROR: the body field its message names (see validationField). */
  field?: string
}

/** Kept in step with emailAndPassword in src/auth/better-auth.ts (a page test checks both ends). */
export const PASSWORD_LENGTH = { min: 8, max: 128 } as const

const SIGN_IN_AGAIN = 'For your security, sign in again before doing this.'

/**
 * `code` → sentence; `form:code` for a code that means something else on one
 * form; `code:field` for a schema refusal of one field. Throttling is worded
 * by `throttled()`, as it needs the wait.
 */
export const MESSAGES: Readonly<Record<string, string>> = {
  // Better Auth (BASE_ERROR_CODES), those a person can cause on these forms.
  INVALID_EMAIL_OR_PASSWORD: 'The email or password is incorrect.',
  USER_ALREADY_EXISTS: 'An account with this email already exists. Sign in instead, or use another email.',
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL:
    'An account with this email already exists. Sign in instead, or use another email.',
  INVALID_EMAIL: 'Enter a valid email address, like name@example.com.',
  PASSWORD_TOO_SHORT: `The password is too short. Use at least ${PASSWORD_LENGTH.min} characters.`,
  PASSWORD_TOO_LONG: `The password is too long. Use at most ${PASSWORD_LENGTH.max} characters.`,
  // Sign-in answers INVALID_EMAIL (its schema takes any string); sign-up's schema refuses first.
  // INVALID_PASSWORD: sign-up's answer to a missing password (behind its schema);
  // change-password's to a wrong current one.
  INVALID_PASSWORD: 'Enter a password.',
  'change-password:INVALID_PASSWORD': 'Your current password is incorrect.',
  CREDENTIAL_ACCOUNT_NOT_FOUND: 'This account has no password to change.',
  FAILED_TO_CREATE_USER: 'The account could not be created. Try again.',
  FAILED_TO_CREATE_SESSION: 'You could not be signed in. Try again.',
  EMAIL_NOT_VERIFIED: 'Confirm your email address before signing in.',
  // Request-schema refusals (better-call): sign-up checks the email's form and
  // a non-empty password there; any endpoint refuses a missing field.
  VALIDATION_ERROR: 'Check what you entered, then try again.',
  'VALIDATION_ERROR:email': 'Enter a valid email address, like name@example.com.',
  'VALIDATION_ERROR:password': 'Enter a password.',
  'VALIDATION_ERROR:name': 'Enter your name.',
  'VALIDATION_ERROR:currentPassword': 'Enter your current password.',
  'VALIDATION_ERROR:newPassword': 'Enter a new password.',
  UNAUTHORIZED: 'Your session has ended. Sign in again.',
  SESSION_EXPIRED: SIGN_IN_AGAIN,
  SESSION_NOT_FRESH: SIGN_IN_AGAIN,
  'sessions:SESSION_NOT_FRESH':
    'For your security, your sessions are listed only soon after you sign in. Sign in again to see and manage them.',
  // A request the gateway's own origin check let through but Better Auth's did not.
  INVALID_ORIGIN: 'This form was sent from another site, so it was refused. Reload the page and try again.',
  MISSING_OR_NULL_ORIGIN:
    'This form was sent from another site, so it was refused. Reload the page and try again.',
  CROSS_SITE_NAVIGATION_LOGIN_BLOCKED:
    'This form was sent from another site, so it was refused. Reload the page and try again.',
  // The gateway's own refusal of a disabled user (src/auth/account-status.ts).
  ACCOUNT_DISABLED: 'This account has been disabled. Contact your administrator to have it enabled again.',
  // The gateway's guards (src/auth/guards/).
  DUPLICATE_SESSION_COOKIE:
    'Your sign-in cookie was sent more than once (a sign of tampering), so every copy was cleared. Sign in again.',
}

const FALLBACK = 'Something went wrong. Try again.'

/** The sentence to show for `refusal` on `form`. */
export function plainMessage(refusal: Refusal, form: FormName): string {
  if (refusal.status === 429) return throttled(refusal)
  const { code, field } = refusal
  if (code === undefined) return FALLBACK
  const forField = field === undefined ? undefined : row(`${code}:${field}`)
  return row(`${form}:${code}`) ?? forField ?? row(code) ?? FALLBACK
}

/** Own keys only: a code such as "toString" must not find Object.prototype's. */
function row(key: string): string | undefined {
  return Object.hasOwn(MESSAGES, key) ? MESSAGES[key] : undefined
}

/**
 * The field a VALIDATION_ERROR names: better-call words them
 * "[body.email] Invalid email address". Only a plain identifier is taken, and
 * it only ever selects a row of MESSAGES, so the text itself is never shown.
 */
export function validationField(code: string | undefined, message: unknown): string | undefined {
  if (code !== 'VALIDATION_ERROR' || typeof message !== 'string') return undefined
  return /^\[body\.([A-Za-z]\w{0,40})\]/.exec(message)?.[1]
}

/**
 * Every 429: Better Auth's rate limit (no code), the per-account throttle
 * (TOO_MANY_ATTEMPTS) and the per-address concurrency cap (TOO_MANY_CONCURRENT).
 */
function throttled({ code, retryAfterSeconds }: Refusal): string {
  const wait = retryAfterSeconds === undefined ? 'later' : `in ${duration(retryAfterSeconds)}`
  if (code === 'TOO_MANY_ATTEMPTS') return `Too many failed sign-ins for this account. Try again ${wait}.`
  if (code === 'TOO_MANY_CONCURRENT') return `Too many requests from your network at once. Try again ${wait}.`
  return `Too many attempts. Try again ${wait}.`
}

/** "1 second", "45 seconds", "1 minute", "15 minutes": rounded up, so nobody retries too early. */
export function duration(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds))
    return s === 1 ? '1 second' : `${s} seconds`
  }
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

/** Retry-After as seconds: the delta form only (the gateway never sends a date); otherwise undefined. */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\d{1,9}$/.test(header.trim())) return undefined
  return Number(header.trim())
}
