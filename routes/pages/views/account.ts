// The account page: who is signed in, where, and what they can do about it.
import { escapeHtml } from '../../../src/http/html.ts'
import type { Identity } from '../../../src/session/identity-headers.ts'
import type { SessionSummary } from '../account-sessions.ts'
import { PASSWORD_LENGTH } from '../error-messages.ts'
import { errorAlert, field, noticeStatus, type Page } from './parts.ts'
import { sessionsSection } from './sessions.ts'

export interface AccountState {
  identity: Identity
  sessions: SessionSummary[]
  /** Fixed text from notices.ts, never the query's own words. */
  notice?: string
  /** A refused password change. */
  passwordError?: string
  /** A refused revocation. */
  sessionsError?: string
}

const PASSWORD_ERROR_ID = 'password-error'

/** The account page. */
export function accountView(state: AccountState): Page {
  const { identity } = state
  const errorId = state.passwordError === undefined ? undefined : PASSWORD_ERROR_ID
  return {
    title: 'Your account',
    wide: true,
    body: `<h1>Your account</h1>
${noticeStatus(state.notice)}<dl class="profile">
<dt>Name</dt><dd>${escapeHtml(identity.name)}</dd>
<dt>Email</dt><dd>${escapeHtml(identity.email)}</dd>
</dl>
<section aria-labelledby="sessions-heading">
<h2 id="sessions-heading">Where you’re signed in</h2>
${sessionsSection(state.sessions, state.sessionsError)}</section>
<section aria-labelledby="password-heading">
<h2 id="password-heading">Change password</h2>
<p class="hint" id="password-effect">Changing your password signs out every other session.</p>
${errorAlert(PASSWORD_ERROR_ID, state.passwordError)}<form method="post" action="/auth/account/password" aria-describedby="password-effect">
${field({ id: 'current-password', name: 'currentPassword', label: 'Current password', type: 'password', autocomplete: 'current-password', maxlength: PASSWORD_LENGTH.max, errorId })}${field({ id: 'new-password', name: 'newPassword', label: 'New password', type: 'password', autocomplete: 'new-password', hint: `At least ${PASSWORD_LENGTH.min} characters.`, minlength: PASSWORD_LENGTH.min, maxlength: PASSWORD_LENGTH.max, errorId })}<button type="submit" class="primary">Change password</button>
</form>
</section>
<nav class="links" aria-label="Elsewhere">
<a href="/">Home</a>
<a href="/docs/">Documentation</a>
<form method="post" action="/auth/sign-out"><button type="submit" class="secondary">Sign out</button></form>
</nav>`,
  }
}
