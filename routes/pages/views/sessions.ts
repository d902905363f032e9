// The "Where you're signed in" list of the account page. It gets summaries
// (account-sessions.ts), which have no token field at all: a session token in
// the HTML would be a cookie away from a stolen session.
import { escapeHtml } from '../../../src/http/html.ts'
import type { SessionSummary } from '../account-sessions.ts'
import { errorAlert } from './parts.ts'

export const SESSIONS_ERROR_ID = 'sessions-error'

const DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** A time as people read it, in UTC (the server cannot know the reader's zone), in a <time>. */
export function timeElement(date: Date): string {
  return `<time datetime="${date.toISOString()}">${DATE.format(date)} UTC</time>`
}

/** The section's content below its heading; `error` is a failed revocation's message. */
export function sessionsSection(sessions: SessionSummary[], error: string | undefined): string {
  const alert = errorAlert(SESSIONS_ERROR_ID, error)
  const others = sessions.filter((session) => !session.current)
  const items = sessions.map(sessionItem).join('')
  return `${alert}<ul class="sessions">
${items}</ul>
${others.length === 0 ? '<p>You are signed in only on this device.</p>\n' : ''}<p class="hint">A session is renewed about once a day while it is in use, so “renewed” is not the time of its last visit. Times are in UTC.</p>
${others.length === 0 ? '' : revokeOthersForm()}`
}

function sessionItem(session: SessionSummary): string {
  const { device } = session
  const about = [device.kind, session.ipAddress === undefined ? undefined : `IP ${session.ipAddress}`]
  const times = [
    `Signed in ${timeElement(session.signedInAt)}`,
    session.renewedAt === undefined ? 'not renewed yet' : `renewed ${timeElement(session.renewedAt)}`,
  ]
  const label = escapeHtml(device.label)
  // The button's accessible name says which session it ends: "Sign out
  // Firefox on Linux, signed in 1 Dec 2026, 09:12 UTC", not five "Sign out"s.
  const action = session.current
    ? ''
    : `<form method="post" action="/auth/account/sessions/revoke">
<input type="hidden" name="sessionId" value="${escapeHtml(session.id)}">
<button type="submit" class="secondary danger">Sign out<span class="visually-hidden"> ${label}, signed in ${escapeHtml(DATE.format(session.signedInAt))} UTC</span></button>
</form>
`
  const aboutLine = about.filter((part) => part !== undefined).map((part) => escapeHtml(part))
  return `<li class="session">
<div>
<p class="device">${label}${session.current ? ' <span class="badge">This device</span>' : ''}</p>
${aboutLine.length === 0 ? '' : `<p class="meta">${segments(aboutLine)}</p>\n`}<p class="meta">${segments(times)}</p>
</div>
${action}</li>
`
}

/** Parts of a line joined by " · ", each kept whole when the line wraps (markup, already escaped). */
function segments(parts: string[]): string {
  return parts.map((part) => `<span>${part}</span>`).join(' · ')
}

function revokeOthersForm(): string {
  return `<form method="post" action="/auth/account/sessions/revoke-others">
<button type="submit" class="secondary danger">Sign out everywhere else</button>
</form>
`
}
