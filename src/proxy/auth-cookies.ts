// The gateway's own session cookies authenticate the browser to the gateway.
// Forwarded upstream they would let any backend (or anything logging its
// requests) replay the session, so they stop here; other cookies pass.

// Better Auth names every cookie "<prefix>.<name>", prefix "better-auth", and
// adds "__Secure-" on https. Matching the family covers session_token,
// session_data, dont_remember and whatever a plugin adds later.
const AUTH_COOKIE = /^(__secure-|__host-)?better-auth\./i

export function isAuthCookieName(name: string): boolean {
  return AUTH_COOKIE.test(name)
}

/** The Cookie header without the gateway's cookies, or undefined when nothing is left. */
export function stripAuthCookies(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined || cookieHeader === '') return undefined
  // One pass, no intermediate arrays: this runs on every proxied request.
  let kept: string | undefined
  for (const raw of cookieHeader.split(';')) {
    const pair = raw.trim()
    if (pair === '' || isAuthCookieName(cookieName(pair))) continue
    kept = kept === undefined ? pair : `${kept}; ${pair}`
  }
  return kept
}

function cookieName(pair: string): string {
  const eq = pair.indexOf('=')
  return (eq === -1 ? pair : pair.slice(0, eq)).trim()
}
