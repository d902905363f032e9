// Server-rendered views. No script: forms post to the gateway, which calls
// Better Auth, so the pages work with JavaScript off and under a strict CSP.
import { escapeHtml, layout } from '../../src/http/html.ts'
import type { Identity } from '../../src/session/identity-headers.ts'

export interface FormState {
  returnTo: string
  error?: string
  notice?: string
  email?: string
  name?: string
}

function message(state: FormState): string {
  if (state.error) return `<p class="error" role="alert">${escapeHtml(state.error)}</p>`
  if (state.notice) return `<p class="notice" role="status">${escapeHtml(state.notice)}</p>`
  return ''
}

const returnToQuery = (returnTo: string) =>
  returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`

export function signInView(state: FormState): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${message(state)}
<form method="post" action="/auth/sign-in">
<input type="hidden" name="returnTo" value="${escapeHtml(state.returnTo)}">
<label>Email <input type="email" name="email" autocomplete="username" required value="${escapeHtml(state.email ?? '')}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required minlength="8" maxlength="128"></label>
<button type="submit">Sign in</button>
</form>
<p>No account? <a href="/auth/sign-up${returnToQuery(state.returnTo)}">Create one</a></p>`,
  )
}

export function signUpView(state: FormState): string {
  return layout(
    'Create account',
    `<h1>Create account</h1>
${message(state)}
<form method="post" action="/auth/sign-up">
<input type="hidden" name="returnTo" value="${escapeHtml(state.returnTo)}">
<label>Name <input type="text" name="name" autocomplete="name" required maxlength="200" value="${escapeHtml(state.name ?? '')}"></label>
<label>Email <input type="email" name="email" autocomplete="username" required value="${escapeHtml(state.email ?? '')}"></label>
<label>Password <input type="password" name="password" autocomplete="new-password" required minlength="8" maxlength="128"></label>
<button type="submit">Create account</button>
</form>
<p>Already registered? <a href="/auth/sign-in${returnToQuery(state.returnTo)}">Sign in</a></p>`,
  )
}

export function accountView(identity: Identity, state: Omit<FormState, 'returnTo'>): string {
  return layout(
    'Your account',
    `<h1>Your account</h1>
${message({ ...state, returnTo: '/' })}
<dl><dt>Name</dt><dd>${escapeHtml(identity.name)}</dd><dt>Email</dt><dd>${escapeHtml(identity.email)}</dd></dl>
<h2>Change password</h2>
<form method="post" action="/auth/account/password">
<label>Current password <input type="password" name="currentPassword" autocomplete="current-password" required></label>
<label>New password <input type="password" name="newPassword" autocomplete="new-password" required minlength="8" maxlength="128"></label>
<button type="submit">Change password and sign out other devices</button>
</form>
<form method="post" action="/auth/sign-out"><button type="submit">Sign out</button></form>`,
  )
}

export const STYLESHEET = `*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c1e21}
main{width:calc(100% - 2rem);max-width:26rem;margin:clamp(1rem,8vh,4rem) auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{margin-top:0;font-size:1.5rem}label{display:block;margin:0 0 1rem}input{display:block;width:100%;padding:.5rem;margin-top:.25rem;font:inherit;border:1px solid #c4c7cc;border-radius:4px}
button{width:100%;padding:.6rem;font:inherit;background:#2e5bda;color:#fff;border:0;border-radius:4px;cursor:pointer;margin-bottom:1rem}
.error{color:#a4161a;background:#fdecea;padding:.5rem;border-radius:4px}.notice{color:#1d6b34;background:#e8f5ec;padding:.5rem;border-radius:4px}dt{font-weight:600}dd{margin:0 0 .5rem}`
