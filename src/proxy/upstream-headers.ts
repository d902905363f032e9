// Builds the exact header set an upstream receives, for plain requests and
// websocket upgrades alike: client headers minus everything the gateway owns,
// then the gateway's own values. Removal happens before injection, so no
// client spelling can survive next to, or instead of, an injected header.

import type { IncomingHttpHeaders } from 'node:http'
import { HOP_BY_HOP } from '../http/hop-by-hop.ts'
import {
  canonicalHeaderName,
  type Identity,
  identityHeaders,
  isIdentityHeader,
} from '../session/identity-headers.ts'
import { stripAuthCookies } from './auth-cookies.ts'

export type OutgoingHeaders = Record<string, string | string[]>

// Headers that claim where a request came from. The gateway alone says that
// upstream (from the socket and TRUST_PROXY), so client copies go, in every
// spelling, including the URL-override headers some frameworks honour.
const FORWARDING = new Set([
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-ssl',
  'x-forwarded-uri',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-request-id',
  // The gateway's own internal header to Better Auth (auth/better-auth.ts); a client
  // copy must not reach a backend that might also read it.
  'x-gateway-client-ip',
])

export interface UpstreamContext {
  identity: Identity | null
  /** identityHeaders(identity), when already computed (the session cache keeps them). */
  identityHeaders?: Record<string, string>
  requestId: string
  forwardedFor: string
  forwardedProto: string
  forwardedHost: string
}

export function buildUpstreamHeaders(
  incoming: IncomingHttpHeaders,
  context: UpstreamContext,
): OutgoingHeaders {
  const out: OutgoingHeaders = {}
  const nominated = connectionNominated(incoming.connection)
  for (const name of Object.keys(incoming)) {
    const value = incoming[name]
    if (value === undefined) continue
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || nominated.has(lower)) continue
    const canonical = canonicalHeaderName(lower)
    if (isIdentityHeader(canonical) || FORWARDING.has(canonical)) continue
    if (lower === 'cookie') {
      const kept = stripAuthCookies(Array.isArray(value) ? value.join('; ') : value)
      if (kept !== undefined) out.cookie = kept
      continue
    }
    out[lower] = value
  }
  if (context.identity !== null)
    Object.assign(out, context.identityHeaders ?? identityHeaders(context.identity))
  out['x-request-id'] = context.requestId
  out['x-forwarded-for'] = context.forwardedFor
  out['x-forwarded-proto'] = context.forwardedProto
  out['x-forwarded-host'] = context.forwardedHost
  return out
}

const NONE: ReadonlySet<string> = new Set()

/**
 * Headers a client names in Connection are hop-by-hop too (RFC 9110 §7.6.1).
 * They are dropped; the gateway's own headers are added afterwards, so naming
 * one of them cannot remove it.
 */
function connectionNominated(connection: string | string[] | undefined): ReadonlySet<string> {
  // The usual value (on nearly every upstream response) names only a header
  // that is hop-by-hop anyway; no need to parse it.
  if (connection === undefined || connection === 'keep-alive') return NONE
  const value = Array.isArray(connection) ? connection.join(',') : connection
  return new Set(
    value
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  )
}

/**
 * The X-Forwarded-For chain to pass on: a trusted peer's chain plus the peer,
 * or only the peer, so an untrusted client cannot plant an address upstream.
 */
export function forwardedFor(
  peer: string,
  incoming: string | string[] | undefined,
  peerTrusted: boolean,
): string {
  const chain = Array.isArray(incoming) ? incoming.join(', ') : incoming
  return peerTrusted && chain !== undefined && chain !== '' ? `${chain}, ${peer}` : peer
}

/**
 * An upstream response's headers as the client may see them: no identity
 * headers (a backend reflecting them must not hand them to the browser) and
 * no hop-by-hop headers, which describe the gateway's connection to the
 * upstream, not the client's (a copied "Connection: keep-alive" would
 * override the client's own "Connection: close").
 */
export function clientResponseHeaders<T extends Record<string, unknown>>(headers: T): T {
  const connection = headers.connection
  const nominated = connectionNominated(
    typeof connection === 'string' || Array.isArray(connection) ? connection : undefined,
  )
  // Copied rather than deleted from: a `delete` turns the object into a slow
  // dictionary, which every later step (sanitising, copying to the reply) pays for.
  const kept: Record<string, unknown> = {}
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    // transfer-encoding is kept: reply-from re-frames the body itself.
    if (lower !== 'transfer-encoding' && (HOP_BY_HOP.has(lower) || nominated.has(lower))) continue
    if (isIdentityHeader(lower)) continue
    kept[name] = headers[name]
  }
  return kept as T
}
