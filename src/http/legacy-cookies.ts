// The move from `__Secure-better-auth.*` (Better Auth's own https names, used
// by this gateway until it took the __Host- prefix) to `__Host-better-auth.*`.
// A __Secure- cookie can be set by any sibling subdomain for the parent
// domain, so reading one is exactly the cookie tossing __Host- closes: it
// happens only inside a window the operator opens on purpose
// (LEGACY_SESSION_COOKIES_UNTIL), and even then never when a __Host- twin is
// there. Outside the window a legacy cookie is ignored and cleared.

import { COOKIE_PREFIX, HOST_PREFIX, LEGACY_PREFIX } from './cookie-names.ts'

const LEGACY_FAMILY = `${LEGACY_PREFIX}${COOKIE_PREFIX}.`
const SESSION_TOKEN = `${COOKIE_PREFIX}.session_token`
const DONT_REMEMBER = `${COOKIE_PREFIX}.dont_remember`
// The only cookies worth moving, both signed by the gateway's secret. Others
// of the family (the cookie cache, which the gateway does not use, or
// anything planted) are only cleared.
const MOVABLE = new Set([SESSION_TOKEN, DONT_REMEMBER])

export interface LegacyCookieMove {
  /** The Cookie header as Better Auth must read it: legacy pairs renamed (window open) or dropped. */
  cookieHeader: string | undefined
  /** The names (`__Host-…`) given to legacy cookies in `cookieHeader`; empty when none was renamed. */
  renamed: string[]
  /**
   * Set-Cookie lines moving the browser over: for each renamed cookie its
   * __Host- twin, then a clearing line for every legacy cookie. Callers drop
   * the lines for names their own answer sets (Better Auth's word wins).
   */
  setCookie: string[]
}

export interface LegacyCookieOptions {
  /** End of the migration window (epoch ms); undefined: the window is closed. */
  until: number | undefined
  /** A remembered session cookie's Max-Age (Better Auth's session expiresIn), in seconds. */
  sessionMaxAgeSeconds: number
  /**
   * True when a cookie value carries a valid signature of this gateway's
   * secret (signed-cookie.ts): only such a value is moved, so a planted or
   * mangled one never becomes a __Host- cookie.
   */
  isSigned: (cookieValue: string) => boolean
  now?: () => number
  /** Told when a legacy cookie is ignored because the window is closed. */
  onIgnored?: () => void
}

export type MoveLegacyCookies = (cookieHeader: string | undefined) => LegacyCookieMove | undefined

/**
 * A function that finds `__Secure-better-auth.*` cookies in a Cookie header
 * and says how to move them to their `__Host-` names; undefined when the
 * header holds none (the common case costs one substring search).
 */
export function legacyCookieMover(options: LegacyCookieOptions): MoveLegacyCookies {
  const now = options.now ?? Date.now
  return (cookieHeader) => {
    if (cookieHeader === undefined || !cookieHeader.includes(LEGACY_FAMILY)) return undefined
    const open = options.until !== undefined && now() < options.until
    const pairs = cookieHeader
      .split(';')
      .map((pair) => pair.trim())
      .filter((pair) => pair !== '')
    const names = new Set(pairs.map(nameOf))
    const kept: string[] = []
    const renamed: string[] = []
    const twins: string[] = []
    const clearing = new Set<string>()
    const remembered =
      !names.has(`${HOST_PREFIX}${DONT_REMEMBER}`) && !names.has(`${LEGACY_PREFIX}${DONT_REMEMBER}`)
    let ignored = false
    for (const pair of pairs) {
      const name = nameOf(pair)
      if (!name.startsWith(LEGACY_FAMILY)) {
        kept.push(pair)
        continue
      }
      clearing.add(name)
      const base = name.slice(LEGACY_PREFIX.length)
      const hostName = `${HOST_PREFIX}${base}`
      // A __Host- twin can only have come from this host: it wins, always.
      if (names.has(hostName)) continue
      if (!open) {
        ignored = true
        continue
      }
      const value = pair.slice(name.length + 1)
      if (!MOVABLE.has(base) || !options.isSigned(value)) continue
      kept.push(`${hostName}=${value}`)
      // A repeated legacy name is renamed twice, so the duplicate-cookie rule
      // still refuses it; only one twin line is sent.
      if (!renamed.includes(hostName)) {
        renamed.push(hostName)
        const maxAge = base === SESSION_TOKEN && remembered ? `; Max-Age=${options.sessionMaxAgeSeconds}` : ''
        twins.push(`${hostName}=${value}${maxAge}; Path=/; HttpOnly; Secure; SameSite=Lax`)
      }
    }
    if (ignored) options.onIgnored?.()
    const clearLines = [...clearing].map(
      (name) => `${name}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`,
    )
    return {
      cookieHeader: kept.length === 0 ? undefined : kept.join('; '),
      renamed,
      setCookie: [...twins, ...clearLines],
    }
  }
}

/** `lines` without those for cookies that `answer` (Set-Cookie lines) sets itself. */
export function withoutOverridden(lines: string[], answer: string[]): string[] {
  if (answer.length === 0) return lines
  const set = new Set(answer.map(nameOf))
  return lines.filter((line) => !set.has(nameOf(line)))
}

function nameOf(pairOrSetCookie: string): string {
  const eq = pairOrSetCookie.indexOf('=')
  return (eq === -1 ? pairOrSetCookie : pairOrSetCookie.slice(0, eq)).trim()
}
