// The names of Better Auth's cookies. On https they carry the __Host- prefix:
// a browser accepts such a cookie only from this very host, with Secure,
// Path=/ and no Domain, so no sibling subdomain and no narrower path can
// plant one (cookie tossing; RFC 6265bis §4.1.3.2). Better Auth itself only
// knows __Secure-, which a sibling can still set for the parent domain, so the
// gateway names the cookies itself and tells Better Auth not to add a prefix.

/** Better Auth's default cookie prefix; every cookie is `<prefix>.<name>`. */
export const COOKIE_PREFIX = 'better-auth'
export const HOST_PREFIX = '__Host-'
/** What Better Auth, and so this gateway before __Host-, put in front on https. */
export const LEGACY_PREFIX = '__Secure-'

// Every cookie Better Auth's core creates (createCookieGetter's callers).
const CORE_COOKIES = ['session_token', 'session_data', 'account_data', 'dont_remember'] as const

type CookieOverrides = Record<string, { name: string; attributes: { secure: true; path: '/' } }>

/**
 * Better Auth's `advanced.cookies` for an https deployment: every core cookie
 * renamed `__Host-better-auth.<name>`, with the attributes the prefix
 * requires (Secure, Path=/; no Domain, as crossSubDomainCookies stays off).
 * Used with `useSecureCookies: false`, which would otherwise add `__Secure-`
 * in front of the name given here.
 */
export function hostPrefixedCookies(): CookieOverrides {
  const overrides: CookieOverrides = {}
  for (const cookie of CORE_COOKIES) {
    overrides[cookie] = {
      name: `${HOST_PREFIX}${COOKIE_PREFIX}.${cookie}`,
      attributes: { secure: true, path: '/' },
    }
  }
  return overrides
}
