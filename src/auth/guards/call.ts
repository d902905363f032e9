// What every guard sees: one call into Better Auth, with its body read and
// parsed once at the door, so no guard reads a stream another already drained
// and every guard judges the same bytes that Better Auth will get.

import { CLIENT_IP_HEADER } from '../better-auth.ts'

export interface AuthCall {
  /** The request Better Auth will get; any body is unread (it is `body`). */
  readonly request: Request
  /** `request.url`, parsed. */
  readonly url: URL
  /** The body as text, or null when the request has none. */
  readonly body: string | null
  /** The body when it parses as a JSON object, whatever its Content-Type; otherwise null. */
  readonly json: Readonly<Record<string, unknown>> | null
  /** The address the gateway wrote into CLIENT_IP_HEADER; '' when absent. */
  readonly clientIp: string
  /** Aborts when the client closes its connection before the answer. */
  readonly clientGone?: AbortSignal
}

/** The rest of the chain: the guards after this one, then Better Auth. */
export type Next = (call: AuthCall) => Promise<Response>

/**
 * One rule around Better Auth. A guard may answer by itself, pass the call on
 * (rewritten: AuthCall is never mutated, a changed call is a new object), or
 * change the answer `next` gives. It may throw a gateway error (http/errors.ts).
 */
export type Guard = (call: AuthCall, next: Next) => Promise<Response>

/**
 * Reads `request` into an AuthCall. A request without a body is kept as is;
 * one with a body is rebuilt around the text that was read (the original's
 * stream is spent). Resolves once the whole body has been read.
 */
export async function readAuthCall(request: Request, clientGone?: AbortSignal): Promise<AuthCall> {
  const clientIp = request.headers.get(CLIENT_IP_HEADER) ?? ''
  if (request.body === null) {
    return { request, url: new URL(request.url), body: null, json: null, clientIp, clientGone }
  }
  // Any body is tried as JSON, whatever its Content-Type says: the guards
  // must see every body Better Auth could parse ("Application/JSON"
  // included), or a spelling of the header would walk past the throttle.
  const body = await request.text()
  const url = new URL(request.url)
  return {
    request: rebuildRequest(request, url, body),
    url,
    body,
    json: jsonObject(body),
    clientIp,
    clientGone,
  }
}

/**
 * A copy of `request` at `url` with `body` (null: none). Content-Length is
 * dropped, as the body may no longer be the one it measured.
 */
export function rebuildRequest(request: Request, url: URL, body: string | null): Request {
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  return new Request(url, { method: request.method, headers, body: body ?? undefined })
}

function jsonObject(body: string): Record<string, unknown> | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    // Fastify already refused malformed JSON; anything else is Better Auth's to judge.
    return null
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null
  return parsed as Record<string, unknown>
}
