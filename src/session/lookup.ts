// Resolves the identity behind a request's session cookie, for the proxy,
// the pages and /verify. Three outcomes, because failing closed needs the
// third: a database that cannot answer is neither "signed in" nor
// "anonymous". Validated sessions come from the in-process cache when fresh.
import type { AssertionSubject, MintedAssertion } from '../assertion/minter.ts'
import type { Auth } from '../auth/better-auth.ts'
import { cookieValue, DUPLICATED } from '../http/cookie-value.ts'
import { type LegacyCookieMove, type MoveLegacyCookies, withoutOverridden } from '../http/legacy-cookies.ts'
import type { VerifySignedCookie } from '../http/signed-cookie.ts'
import type { LoadSessionRow, SessionRow } from './batch.ts'
import type { CacheLoad, SessionCache } from './cache.ts'
import { type Identity, identityHeaders } from './identity-headers.ts'

/** A validated identity with its upstream headers (X-User-Assertion included) computed once. */
export interface ResolvedIdentity {
  identity: Identity
  headers: Record<string, string>
}

export type SignedInResult = { state: 'signed-in'; setCookie: string[] } & ResolvedIdentity

/**
 * What every lookup answers. The names form one family: `SessionResult` is
 * the answer; `LookupSession` and `ResolveSession` are the two ways to ask
 * (named as the app's decorators); the cache's own answers are `CachePeek`
 * and `CacheLoad` (cache.ts).
 */
export type SessionResult =
  | {
      state: 'anonymous'
      setCookie: string[]
      /** The session cookie came more than once: planted beside the real one, or a conflict. */
      duplicateCookie?: true
    }
  | SignedInResult
  | { state: 'unavailable'; error: unknown }

export type LookupSession = (cookieHeader: string | undefined) => Promise<SessionResult>

/**
 * The same answer, synchronously when it needs no I/O (no cookie, a cache
 * hit, a remembered or forged cookie). The proxy's hot path uses it to skip
 * two promises per request, which cost more than their allocation while a
 * Better Auth call keeps async_hooks on (see auth/async-context-release.ts).
 */
export type ResolveSession = (cookieHeader: string | undefined) => SessionResult | Promise<SessionResult>

const ANONYMOUS: SessionResult = { state: 'anonymous', setCookie: [] }
const DUPLICATE_COOKIE: SessionResult = { state: 'anonymous', setCookie: [], duplicateCookie: true }
const NO_COOKIES: string[] = []

export interface SessionLookupOptions {
  auth: Auth
  /** Holds ready-made answers, so a hit allocates nothing. */
  cache: SessionCache<SignedInResult>
  cookieName: string
  /** The token inside a correctly signed cookie value, undefined for anything else. */
  verifyCookie: VerifySignedCookie
  /** The session row for a token, batched with the other misses of the moment. */
  loadRow: LoadSessionRow
  /** Better Auth's session lifetime and refresh interval, in seconds. */
  sessionConfig: { expiresIn: number; updateAge: number }
  /**
   * Signs X-User-Assertion (assertion/minter.ts); undefined when it is off.
   * A rejection fails the lookup ('unavailable'): never forward an identity
   * the backend cannot verify.
   */
  mintAssertion?: (subject: AssertionSubject) => Promise<MintedAssertion>
  /** On https: reads (or clears) the `__Secure-` cookies of before the `__Host-` prefix. */
  moveLegacyCookies?: MoveLegacyCookies
  now?: () => number
}

export function createSessionLookup(options: SessionLookupOptions): {
  resolveSession: ResolveSession
  lookupSession: LookupSession
} {
  const { auth, cache, cookieName, verifyCookie, loadRow, sessionConfig, mintAssertion, moveLegacyCookies } =
    options
  const now = options.now ?? Date.now
  // Better Auth refreshes a session once it is older than updateAge; its
  // expiry then reads expiresAt = refreshedAt + expiresIn.
  const refreshDueBefore = (sessionConfig.expiresIn - sessionConfig.updateAge) * 1000

  /** A validated row as the cache holds it: headers built and the assertion minted (or reused) once. */
  const signedIn = async (row: SessionRow): Promise<CacheLoad<SignedInResult>> => {
    const identity = { userId: row.userId, email: row.email, name: row.name }
    const headers = identityHeaders(identity)
    let validUntil = row.expiresAt.getTime()
    if (mintAssertion !== undefined) {
      const assertion = await mintAssertion({
        sessionToken: row.token,
        sessionId: row.sessionId,
        userId: row.userId,
        email: row.email,
        name: row.name,
        sessionExpiresAt: validUntil,
      })
      headers['x-user-assertion'] = assertion.jwt
      // The entry goes when its assertion is due for renewal, so a hit never
      // serves one near its expiry and the hot path never checks.
      validUntil = Math.min(validUntil, assertion.refreshAt)
    }
    return {
      kind: 'session',
      value: { state: 'signed-in', setCookie: NO_COOKIES, identity, headers },
      token: row.token,
      userId: row.userId,
      validUntil,
    }
  }

  const resolveSession: ResolveSession = (cookieHeader) => {
    const key = cookieValue(cookieHeader, cookieName)
    if (key === undefined) return moveLegacyCookies === undefined ? ANONYMOUS : resolveLegacy(cookieHeader)
    return resolveKey(cookieHeader, key)
  }

  /** Only without a current session cookie: a __Host- one always wins over a legacy one. */
  const resolveLegacy = (cookieHeader: string | undefined): SessionResult | Promise<SessionResult> => {
    const moved = (moveLegacyCookies as MoveLegacyCookies)(cookieHeader)
    if (moved === undefined) return ANONYMOUS
    const key = cookieValue(moved.cookieHeader, cookieName)
    if (key === undefined) return withMoves(ANONYMOUS, moved)
    const result = resolveKey(moved.cookieHeader, key)
    return result instanceof Promise ? result.then((r) => withMoves(r, moved)) : withMoves(result, moved)
  }

  const resolveKey = (
    cookieHeader: string | undefined,
    key: string,
  ): SessionResult | Promise<SessionResult> => {
    // Never choose between two session cookies: one of them may have been
    // planted (cookie tossing), and Better Auth would take the first.
    if (key === DUPLICATED) return DUPLICATE_COOKIE
    const cached = cache.peek(key)
    if (cached.state === 'hit') return cached.entry.value
    if (cached.state === 'negative') return ANONYMOUS
    // A forged or mangled value costs one HMAC and is never cached, so a
    // flood of them can neither reach the database nor crowd the cache.
    const token = verifyCookie(key)
    return token === undefined ? ANONYMOUS : validateMiss(cookieHeader, key, token)
  }

  const validateMiss = async (
    cookieHeader: string | undefined,
    key: string,
    token: string,
  ): Promise<SessionResult> => {
    // Set-Cookie (a refreshed expiry, or a clearing cookie) belongs to the
    // request whose lookup produced it; requests that shared the lookup
    // don't need it, and it is never cached.
    let setCookie = NO_COOKIES
    const askBetterAuth = async (): Promise<CacheLoad<SignedInResult>> => {
      // returnHeaders: without it, server-side getSession drops the refresh cookie.
      const result = await auth.api.getSession({
        headers: new Headers({ cookie: cookieHeader ?? '' }),
        returnHeaders: true,
      })
      setCookie = result.headers.getSetCookie()
      const data = result.response
      // A disabled user's session that outlived the CLI's deletion (a sign-in
      // racing it) is no session; the prepared query (rows.ts) already skips it.
      if (data === null || data.user.disabledAt != null) return { kind: 'none' }
      const { session, user } = data
      return signedIn({
        token: session.token,
        sessionId: session.id,
        userId: user.id,
        email: user.email,
        name: user.name,
        expiresAt: new Date(session.expiresAt),
      })
    }
    const validate = async (): Promise<CacheLoad<SignedInResult>> => {
      // The common case, decided without Better Auth: a live session that is
      // not yet due for refresh. Anything else (no row, expired, due for
      // refresh) is Better Auth's to answer, with the Set-Cookie it sends.
      const row = await loadRow(token)
      if (row !== undefined) {
        const expiresAt = row.expiresAt.getTime()
        const at = now()
        if (expiresAt > at && expiresAt - refreshDueBefore > at) return signedIn(row)
      }
      return askBetterAuth()
    }

    let load: CacheLoad<SignedInResult>
    try {
      load = await cache.resolve(key, validate)
    } catch (error) {
      // Better Auth throws UNAUTHORIZED for a session that vanished mid-refresh;
      // anything else (a database error) is a failure to validate.
      if (isUnauthorized(error)) return { state: 'anonymous', setCookie }
      return { state: 'unavailable', error }
    }
    if (load.kind === 'none') return setCookie.length === 0 ? ANONYMOUS : { state: 'anonymous', setCookie }
    return setCookie.length === 0 ? load.value : { ...load.value, setCookie }
  }

  return { resolveSession, lookupSession: async (cookieHeader) => resolveSession(cookieHeader) }
}

/**
 * `result` with the Set-Cookie lines that move a browser off its legacy
 * cookies: their __Host- twins only when they hold a live session, clearing
 * lines always; whatever Better Auth set itself comes last and wins.
 */
function withMoves(result: SessionResult, moved: LegacyCookieMove): SessionResult {
  if (result.state === 'unavailable') return result
  const lines =
    result.state === 'signed-in'
      ? moved.setCookie
      : moved.setCookie.filter((line) => !moved.renamed.some((name) => line.startsWith(`${name}=`)))
  const setCookie = [...withoutOverridden(lines, result.setCookie), ...result.setCookie]
  return { ...result, setCookie }
}

function isUnauthorized(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 'UNAUTHORIZED'
  )
}
