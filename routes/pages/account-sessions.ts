// The user's sessions as the account page shows them. The rows hold each
// session's token (revoke-session takes one); the tokens stay on the server:
// a summary has the session's id, which the page posts back, and the id is
// turned into a token again only among the signed-in user's own sessions
// (findOwnSession).
import { cookieValue, DUPLICATED } from '../../src/http/cookie-value.ts'
import { signedCookieVerifier } from '../../src/http/signed-cookie.ts'
import type { UserSessionRow } from '../../src/session/user-sessions.ts'
import { type DeviceDescription, describeUserAgent } from './user-agent.ts'

/** One of the signed-in user's sessions (session/user-sessions.ts): server-side only. */
export type OwnSession = UserSessionRow

/** What the page may show of a session: no token. */
export interface SessionSummary {
  id: string
  device: DeviceDescription
  ipAddress?: string
  signedInAt: Date
  /** When Better Auth last extended it (about daily while in use); undefined if never. */
  renewedAt?: Date
  /** The session of the request being answered ("This device"). */
  current: boolean
}

// Better Auth writes updatedAt with createdAt; a later value means a refresh.
const RENEWAL_THRESHOLD_MS = 60_000

/**
 * Summaries for the page: the current session first, then the others, most
 * recently renewed first. `currentToken` is the token of the request's cookie.
 */
export function summarise(sessions: OwnSession[], currentToken: string | undefined): SessionSummary[] {
  const summaries = sessions.map((session) => {
    const renewed = session.updatedAt.getTime() - session.createdAt.getTime() > RENEWAL_THRESHOLD_MS
    return {
      id: session.id,
      device: describeUserAgent(session.userAgent),
      ipAddress: session.ipAddress,
      signedInAt: session.createdAt,
      renewedAt: renewed ? session.updatedAt : undefined,
      current: session.token === currentToken,
    }
  })
  const lastActive = (s: SessionSummary) => (s.renewedAt ?? s.signedInAt).getTime()
  return summaries.sort((a, b) => Number(b.current) - Number(a.current) || lastActive(b) - lastActive(a))
}

/**
 * The session with `id` among `sessions` (the signed-in user's own), or undefined: an id that is not the user's (another user's
 * session, a guess, one already ended) resolves to nothing.
 */
export function findOwnSession(sessions: OwnSession[], id: unknown): OwnSession | undefined {
  if (typeof id !== 'string' || id === '') return undefined
  return sessions.find((session) => session.id === id)
}

/**
 * Reads the session token out of a Cookie header (undefined when absent,
 * doubled or badly signed), to tell which listed session is this device's.
 */
export function sessionTokenReader(cookieName: string, secret: string) {
  const verify = signedCookieVerifier(secret)
  return (cookieHeader: string | undefined): string | undefined => {
    const value = cookieValue(cookieHeader, cookieName)
    return value === undefined || value === DUPLICATED ? undefined : verify(value)
  }
}
