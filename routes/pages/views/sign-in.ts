// The sign-in form. Posted to the gateway, which calls Better Auth's
// /sign-in/email: it works with JavaScript off and under a no-script CSP.
import { PASSWORD_LENGTH } from '../error-messages.ts'
import { errorAlert, field, type Page, returnToInput, returnToQuery } from './parts.ts'

export interface SignInState {
  returnTo: string
  error?: string
  email?: string
  rememberMe?: boolean
}

const ERROR_ID = 'sign-in-error'

/** The sign-in page; `state` carries what a refused attempt typed, never the password. */
export function signInView(state: SignInState): Page {
  const errorId = state.error === undefined ? undefined : ERROR_ID
  const email = state.email ?? ''
  return {
    title: 'Sign in',
    body: `<h1>Sign in</h1>
${errorAlert(ERROR_ID, state.error)}<form method="post" action="/auth/sign-in">
${returnToInput(state.returnTo)}${field({ id: 'email', name: 'email', label: 'Email', type: 'email', autocomplete: 'username', value: email, errorId, autofocus: email === '' })}${field({ id: 'password', name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', maxlength: PASSWORD_LENGTH.max, errorId, autofocus: email !== '' })}${rememberMe(state.rememberMe === true)}<button type="submit" class="primary">Sign in</button>
</form>
<p class="switch">No account yet? <a href="/auth/sign-up${returnToQuery(state.returnTo)}">Create one</a></p>`,
  }
}

/**
 * Unchecked unless the person asks, as Authelia's portal has it: a session
 * that outlives the browser is a choice, and the cost of the default (signing
 * in again after a restart) is smaller than a stranger finding a shared or
 * borrowed computer still signed in. Unchecked, Better Auth sets a browser-
 * session cookie (no Max-Age) and caps the session at a day.
 */
function rememberMe(checked: boolean): string {
  return `<div class="check">
<input id="remember-me" type="checkbox" name="rememberMe" value="on" aria-describedby="remember-me-hint"${checked ? ' checked' : ''}>
<label for="remember-me">Remember me</label>
<p class="hint" id="remember-me-hint">Stay signed in after closing the browser. Leave unticked on a shared computer.</p>
</div>
`
}
