// The sign-up form, posted to the gateway, which calls Better Auth's /sign-up/email.
import { PASSWORD_LENGTH } from '../error-messages.ts'
import { errorAlert, field, type Page, returnToInput, returnToQuery } from './parts.ts'

export interface SignUpState {
  returnTo: string
  error?: string
  email?: string
  name?: string
}

const ERROR_ID = 'sign-up-error'

/** The sign-up page; `state` carries what a refused attempt typed, never the password. */
export function signUpView(state: SignUpState): Page {
  const errorId = state.error === undefined ? undefined : ERROR_ID
  return {
    title: 'Create account',
    body: `<h1>Create account</h1>
${errorAlert(ERROR_ID, state.error)}<form method="post" action="/auth/sign-up">
${returnToInput(state.returnTo)}${field({ id: 'name', name: 'name', label: 'Name', type: 'text', autocomplete: 'name', maxlength: 200, value: state.name ?? '', errorId, autofocus: true })}${field({ id: 'email', name: 'email', label: 'Email', type: 'email', autocomplete: 'username', value: state.email ?? '', errorId })}${field({ id: 'password', name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: `At least ${PASSWORD_LENGTH.min} characters.`, minlength: PASSWORD_LENGTH.min, maxlength: PASSWORD_LENGTH.max, errorId })}<button type="submit" class="primary">Create account</button>
</form>
<p class="switch">Already have an account? <a href="/auth/sign-in${returnToQuery(state.returnTo)}">Sign in</a></p>`,
  }
}
