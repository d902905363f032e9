// Every row of the plain-words table, by the code (and form, and field) that
// selects it, plus throttling, the fallbacks and the helpers that feed it.
import t from 'tap'
import {
  duration,
  type FormName,
  MESSAGES,
  plainMessage,
  type Refusal,
  retryAfterSeconds,
  validationField,
} from '../../../routes/pages/error-messages.ts'

interface Row {
  /** The table key the row covers. */
  key: string
  refusal: Refusal
  form: FormName
  text: string
}

const ROWS: Row[] = [
  {
    key: 'INVALID_EMAIL_OR_PASSWORD',
    refusal: { status: 401, code: 'INVALID_EMAIL_OR_PASSWORD' },
    form: 'sign-in',
    text: 'The email or password is incorrect.',
  },
  {
    key: 'USER_ALREADY_EXISTS',
    refusal: { status: 422, code: 'USER_ALREADY_EXISTS' },
    form: 'sign-up',
    text: 'An account with this email already exists. Sign in instead, or use another email.',
  },
  {
    key: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
    refusal: { status: 422, code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL' },
    form: 'sign-up',
    text: 'An account with this email already exists. Sign in instead, or use another email.',
  },
  {
    key: 'INVALID_EMAIL',
    refusal: { status: 400, code: 'INVALID_EMAIL' },
    form: 'sign-in',
    text: 'Enter a valid email address, like name@example.com.',
  },
  {
    key: 'PASSWORD_TOO_SHORT',
    refusal: { status: 400, code: 'PASSWORD_TOO_SHORT' },
    form: 'sign-up',
    text: 'The password is too short. Use at least 8 characters.',
  },
  {
    key: 'PASSWORD_TOO_LONG',
    refusal: { status: 400, code: 'PASSWORD_TOO_LONG' },
    form: 'change-password',
    text: 'The password is too long. Use at most 128 characters.',
  },
  {
    key: 'INVALID_PASSWORD',
    refusal: { status: 400, code: 'INVALID_PASSWORD' },
    form: 'sign-up',
    text: 'Enter a password.',
  },
  {
    key: 'change-password:INVALID_PASSWORD',
    refusal: { status: 400, code: 'INVALID_PASSWORD' },
    form: 'change-password',
    text: 'Your current password is incorrect.',
  },
  {
    key: 'CREDENTIAL_ACCOUNT_NOT_FOUND',
    refusal: { status: 400, code: 'CREDENTIAL_ACCOUNT_NOT_FOUND' },
    form: 'change-password',
    text: 'This account has no password to change.',
  },
  {
    key: 'FAILED_TO_CREATE_USER',
    refusal: { status: 422, code: 'FAILED_TO_CREATE_USER' },
    form: 'sign-up',
    text: 'The account could not be created. Try again.',
  },
  {
    key: 'FAILED_TO_CREATE_SESSION',
    refusal: { status: 401, code: 'FAILED_TO_CREATE_SESSION' },
    form: 'sign-in',
    text: 'You could not be signed in. Try again.',
  },
  {
    key: 'EMAIL_NOT_VERIFIED',
    refusal: { status: 403, code: 'EMAIL_NOT_VERIFIED' },
    form: 'sign-in',
    text: 'Confirm your email address before signing in.',
  },
  {
    key: 'VALIDATION_ERROR',
    refusal: { status: 400, code: 'VALIDATION_ERROR' },
    form: 'sign-up',
    text: 'Check what you entered, then try again.',
  },
  {
    key: 'VALIDATION_ERROR:email',
    refusal: { status: 400, code: 'VALIDATION_ERROR', field: 'email' },
    form: 'sign-up',
    text: 'Enter a valid email address, like name@example.com.',
  },
  {
    key: 'VALIDATION_ERROR:password',
    refusal: { status: 400, code: 'VALIDATION_ERROR', field: 'password' },
    form: 'sign-up',
    text: 'Enter a password.',
  },
  {
    key: 'VALIDATION_ERROR:name',
    refusal: { status: 400, code: 'VALIDATION_ERROR', field: 'name' },
    form: 'sign-up',
    text: 'Enter your name.',
  },
  {
    key: 'VALIDATION_ERROR:currentPassword',
    refusal: { status: 400, code: 'VALIDATION_ERROR', field: 'currentPassword' },
    form: 'change-password',
    text: 'Enter your current password.',
  },
  {
    key: 'VALIDATION_ERROR:newPassword',
    refusal: { status: 400, code: 'VALIDATION_ERROR', field: 'newPassword' },
    form: 'change-password',
    text: 'Enter a new password.',
  },
  {
    key: 'UNAUTHORIZED',
    refusal: { status: 401, code: 'UNAUTHORIZED' },
    form: 'change-password',
    text: 'Your session has ended. Sign in again.',
  },
  {
    key: 'SESSION_EXPIRED',
    refusal: { status: 400, code: 'SESSION_EXPIRED' },
    form: 'change-password',
    text: 'For your security, sign in again before doing this.',
  },
  {
    key: 'SESSION_NOT_FRESH',
    refusal: { status: 403, code: 'SESSION_NOT_FRESH' },
    form: 'change-password',
    text: 'For your security, sign in again before doing this.',
  },
  {
    key: 'sessions:SESSION_NOT_FRESH',
    refusal: { status: 403, code: 'SESSION_NOT_FRESH' },
    form: 'sessions',
    text: 'For your security, your sessions are listed only soon after you sign in. Sign in again to see and manage them.',
  },
  {
    key: 'INVALID_ORIGIN',
    refusal: { status: 403, code: 'INVALID_ORIGIN' },
    form: 'sign-in',
    text: 'This form was sent from another site, so it was refused. Reload the page and try again.',
  },
  {
    key: 'MISSING_OR_NULL_ORIGIN',
    refusal: { status: 403, code: 'MISSING_OR_NULL_ORIGIN' },
    form: 'sign-up',
    text: 'This form was sent from another site, so it was refused. Reload the page and try again.',
  },
  {
    key: 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED',
    refusal: { status: 403, code: 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED' },
    form: 'sign-in',
    text: 'This form was sent from another site, so it was refused. Reload the page and try again.',
  },
  {
    key: 'ACCOUNT_DISABLED',
    refusal: { status: 403, code: 'ACCOUNT_DISABLED' },
    form: 'sign-in',
    text: 'This account has been disabled. Contact your administrator to have it enabled again.',
  },
  {
    key: 'DUPLICATE_SESSION_COOKIE',
    refusal: { status: 400, code: 'DUPLICATE_SESSION_COOKIE' },
    form: 'sign-in',
    text: 'Your sign-in cookie was sent more than once (a sign of tampering), so every copy was cleared. Sign in again.',
  },
]

t.test('every row of the table, selected by its key', async (t) => {
  for (const row of ROWS) t.equal(plainMessage(row.refusal, row.form), row.text, row.key)
  const covered = new Set(ROWS.map((row) => row.key))
  for (const key of Object.keys(MESSAGES)) t.ok(covered.has(key), `row ${key} has a case here`)
  for (const text of Object.values(MESSAGES)) {
    t.match(text, /^[A-Z].*\.$/, `"${text}" is a sentence`)
    t.notMatch(text, /[A-Z]{2,}_[A-Z]/, 'with no code in it')
  }
})

t.test('throttling: the wait in words, from Retry-After', async (t) => {
  const rows: { name: string; refusal: Refusal; text: string }[] = [
    {
      name: "Better Auth's rate limit (429, no code), seconds",
      refusal: { status: 429, retryAfterSeconds: 9 },
      text: 'Too many attempts. Try again in 9 seconds.',
    },
    {
      name: "Better Auth's rate limit, a minute",
      refusal: { status: 429, retryAfterSeconds: 60 },
      text: 'Too many attempts. Try again in 1 minute.',
    },
    {
      name: 'no Retry-After',
      refusal: { status: 429 },
      text: 'Too many attempts. Try again later.',
    },
    {
      name: 'the per-account throttle (TOO_MANY_ATTEMPTS)',
      refusal: { status: 429, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 900 },
      text: 'Too many failed sign-ins for this account. Try again in 15 minutes.',
    },
    {
      name: 'the per-address concurrency cap (TOO_MANY_CONCURRENT)',
      refusal: { status: 429, code: 'TOO_MANY_CONCURRENT', retryAfterSeconds: 2 },
      text: 'Too many requests from your network at once. Try again in 2 seconds.',
    },
    {
      name: 'a code of the table on a 429 is still worded as throttling',
      refusal: { status: 429, code: 'INVALID_EMAIL_OR_PASSWORD', retryAfterSeconds: 1 },
      text: 'Too many attempts. Try again in 1 second.',
    },
  ]
  for (const row of rows) t.equal(plainMessage(row.refusal, 'sign-in'), row.text, row.name)
})

t.test('fallbacks: an unknown code, no code, an unknown field', async (t) => {
  const fallback = 'Something went wrong. Try again.'
  t.equal(plainMessage({ status: 400, code: 'SOMETHING_NEW' }, 'sign-in'), fallback, 'unknown code')
  t.equal(plainMessage({ status: 400 }, 'sign-up'), fallback, 'no code')
  t.equal(plainMessage({ status: 400, code: 'toString' }, 'sign-up'), fallback, 'not an inherited property')
  t.equal(
    plainMessage({ status: 400, code: 'VALIDATION_ERROR', field: 'image' }, 'sign-up'),
    'Check what you entered, then try again.',
    'a field without a row of its own',
  )
})

t.test('duration and Retry-After parsing', async (t) => {
  const durations: [number, string][] = [
    [0, '1 second'],
    [0.2, '1 second'],
    [1, '1 second'],
    [2, '2 seconds'],
    [59, '59 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [900, '15 minutes'],
  ]
  for (const [seconds, text] of durations) t.equal(duration(seconds), text, `${seconds} s`)
  const headers: [string | null, number | undefined][] = [
    ['5', 5],
    [' 120 ', 120],
    [null, undefined],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['Wed, 21 Oct 2026 07:28:00 GMT', undefined],
    ['9999999999', undefined],
  ]
  for (const [header, seconds] of headers)
    t.equal(retryAfterSeconds(header), seconds, `Retry-After ${header}`)
})

t.test('validationField: only a plain body field of a VALIDATION_ERROR', async (t) => {
  const rows: [string | undefined, unknown, string | undefined][] = [
    ['VALIDATION_ERROR', '[body.email] Invalid email address', 'email'],
    ['VALIDATION_ERROR', '[body.currentPassword] Invalid input', 'currentPassword'],
    ['VALIDATION_ERROR', '[query.email] Invalid', undefined],
    ['VALIDATION_ERROR', 'Invalid email address', undefined],
    ['VALIDATION_ERROR', '[body.<img src=x>] Invalid', undefined],
    ['VALIDATION_ERROR', 42, undefined],
    ['INVALID_EMAIL', '[body.email] Invalid email address', undefined],
    [undefined, '[body.email] x', undefined],
  ]
  for (const [code, message, field] of rows) {
    t.equal(validationField(code, message), field, `${code} ${JSON.stringify(message)}`)
  }
})
