// Cookie tossing: a sibling subdomain (or any page that can set a cookie for
// a parent domain or a narrower path) plants a second session cookie under
// the same name, and the browser sends both. Better Auth would read the
// first, which may be the planted one, and act as the planter's account:
// sign-in CSRF without a form. The gateway never chooses: the auth endpoints
// refuse the request with 400 and clear every copy they can name.

import { HOST_PREFIX, LEGACY_PREFIX } from '../../http/cookie-names.ts'
import { cookieValue, DUPLICATED } from '../../http/cookie-value.ts'
import { REQUEST_PATH_HEADER } from '../web-request.ts'
import type { Guard } from './call.ts'

export interface DuplicateCookieOptions {
  /** The session cookie's name as Better Auth resolved it. */
  cookieName: string
  /** PUBLIC_URL: its host's parent domains are where a planted cookie may live. */
  publicUrl: string
}

/** A guard answering 400 with clearing cookies when the session cookie comes more than once. */
export function duplicateSessionCookieGuard({ cookieName, publicUrl }: DuplicateCookieOptions): Guard {
  const origin = new URL(publicUrl)
  const secure = origin.protocol === 'https:'
  // A __Host- cookie cannot be planted; the __Secure- one it replaced can be,
  // and is what a duplicate inside the migration window was renamed from.
  const namesToClear = cookieName.startsWith(HOST_PREFIX)
    ? [cookieName, `${LEGACY_PREFIX}${cookieName.slice(HOST_PREFIX.length)}`]
    : [cookieName]
  return async (call, next) => {
    if (cookieValue(call.request.headers.get('cookie') ?? undefined, cookieName) !== DUPLICATED)
      return next(call)
    const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' })
    // The Better Auth path and, for the gateway's pages, the page's own.
    const paths = [call.url.pathname, call.request.headers.get(REQUEST_PATH_HEADER) ?? '/']
    for (const name of namesToClear) {
      for (const cookie of clearingCookies(name, origin.hostname, paths, secure))
        headers.append('set-cookie', cookie)
    }
    return new Response(
      JSON.stringify({
        code: 'DUPLICATE_SESSION_COOKIE',
        message: 'The session cookie was sent more than once; every copy was cleared. Sign in again.',
      }),
      { status: 400, headers },
    )
  }
}

const SAFE_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,=:@%]+$/

/**
 * Set-Cookie lines that expire `name` wherever a copy may sit. A browser
 * removes a cookie only when name, domain and path all match, and the Cookie
 * header says neither, so: host-only and each parent domain of `host`
 * (not an IP, not a bare TLD), at `/` and at each ancestor of each of
 * `requestPaths` (at most four levels: a cookie must be on the request's path
 * to have been sent).
 * On https the session cookie is a __Host- one, so the copies that can sit
 * elsewhere are the legacy __Secure- ones (http/legacy-cookies.ts).
 */
export function clearingCookies(
  name: string,
  host: string,
  requestPaths: string[],
  secure: boolean,
): string[] {
  // A browser takes a __Host- cookie only host-only at `/`: no other copy can exist.
  if (name.startsWith(HOST_PREFIX)) return [`${name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure`]
  const domains: (string | undefined)[] = [undefined]
  const isIp = /^[\d.]+$/.test(host) || host.includes(':')
  if (!isIp) {
    const labels = host.split('.')
    for (let i = 1; i < labels.length - 1; i++) domains.push(labels.slice(i).join('.'))
    if (labels.length > 1) domains.push(host)
  }
  const paths = new Set(['/'])
  for (const path of requestPaths) {
    const segments = path.split('/').filter((segment) => segment !== '')
    for (let i = 1; i <= Math.min(segments.length, 4); i++) {
      // A segment with `;`, space or a control character would end the Path
      // attribute and start another: stop there (nothing deeper is cleared).
      if (!SAFE_SEGMENT.test(segments[i - 1] as string)) break
      paths.add(`/${segments.slice(0, i).join('/')}`)
    }
  }
  const lines: string[] = []
  for (const domain of domains) {
    for (const cookiePath of paths) {
      lines.push(
        `${name}=; Max-Age=0; Path=${cookiePath}${domain === undefined ? '' : `; Domain=${domain}`}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
      )
    }
  }
  return lines
}
