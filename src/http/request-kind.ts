// Who is asking: a browser navigation (a page the user will look at) or
// anything else (a page script's fetch, an XHR, an image, curl, an SDK).
// Only a navigation may be answered with the sign-in redirect; everyone else
// gets a 401 they can act on, not an HTML sign-in page behind a followed 303.
import type { IncomingHttpHeaders } from 'node:http'
import Negotiator from 'negotiator'

// Listed JSON first: on a tie (`*/*`, as curl, fetch() and SDKs send) the
// client is not asking for a page.
const OFFERED = ['application/json', 'text/html']

/**
 * True for a browser navigation, false for everything else.
 * - Fetch Metadata decides when present (every current browser sends it):
 *   only `Sec-Fetch-Mode: navigate` is a navigation, whatever the method
 *   (a form post is one too); `cors`, `no-cors`, `same-origin` and
 *   `websocket` are not (W3C Fetch Metadata Request Headers).
 * - Without it (older browsers, in-app views, non-browsers): a GET or HEAD
 *   whose `Accept` prefers `text/html` over JSON, and that no script marked
 *   as its own (`X-Requested-With`, as jQuery and many XHR wrappers send).
 */
export function isNavigation(method: string, headers: IncomingHttpHeaders): boolean {
  const mode = headers['sec-fetch-mode']
  if (mode !== undefined) return mode === 'navigate'
  if (method !== 'GET' && method !== 'HEAD') return false
  if (headers['x-requested-with'] !== undefined) return false
  const accept = headers.accept
  if (accept === undefined || accept === '') return false
  return prefersHtml(accept)
}

/**
 * Whether an answer for a person (an HTML page) suits the request better than
 * one for a program (JSON): as isNavigation, except that a request with no
 * Accept and no Fetch Metadata at all, or a non-GET, is given the page.
 */
export function wantsPage(headers: IncomingHttpHeaders): boolean {
  const mode = headers['sec-fetch-mode']
  if (mode !== undefined) return mode === 'navigate'
  if (headers['x-requested-with'] !== undefined) return false
  const accept = headers.accept
  return accept === undefined || accept === '' || prefersHtml(accept)
}

function prefersHtml(accept: string): boolean {
  return new Negotiator({ headers: { accept } }).mediaType(OFFERED) === 'text/html'
}
