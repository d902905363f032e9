// Outermost guard on https: a browser still holding the `__Secure-` cookies
// of before the __Host- prefix has them renamed for Better Auth (inside the
// migration window) or dropped (outside it), and its answer carries the lines
// that move the browser over (http/legacy-cookies.ts says why the window).

import { type MoveLegacyCookies, withoutOverridden } from '../../http/legacy-cookies.ts'
import { type Guard, rebuildRequest } from './call.ts'

/** A guard applying `move` to the Cookie header on the way in and its Set-Cookie lines on the way out. */
export function legacySessionCookieGuard(move: MoveLegacyCookies): Guard {
  return async (call, next) => {
    const moved = move(call.request.headers.get('cookie') ?? undefined)
    if (moved === undefined) return next(call)
    const request = rebuildRequest(call.request, call.url, call.body)
    if (moved.cookieHeader === undefined) request.headers.delete('cookie')
    else request.headers.set('cookie', moved.cookieHeader)
    const response = await next({ ...call, request })
    const answer = response.headers.getSetCookie()
    const lines = withoutOverridden(moved.setCookie, answer)
    if (lines.length === 0) return response
    const headers = new Headers(response.headers)
    // Ours first: a browser applies Set-Cookie lines in order.
    headers.delete('set-cookie')
    for (const line of [...lines, ...answer]) headers.append('set-cookie', line)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}
