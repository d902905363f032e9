// Hands a Fastify request to Better Auth as a Web Request (Better Auth's
// documented Fastify recipe): Fastify has already read the body, so
// toNodeHandler(req.raw) would see an empty stream.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { HOP_BY_HOP } from '../http/hop-by-hop.ts'
import { CLIENT_IP_HEADER } from './better-auth.ts'

/**
 * The path the browser asked for (a page such as /auth/sign-in, where the
 * Better Auth URL is /api/auth/sign-in/email): the cookies it sent may have
 * been set for that path's ancestors (duplicate-session-cookie.ts clears them).
 */
export const REQUEST_PATH_HEADER = 'x-gateway-request-path'

// Host and framing describe the client's request to the gateway, not this
// in-process call; the client-IP and request-path headers are the gateway's own to set.
const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  CLIENT_IP_HEADER,
  REQUEST_PATH_HEADER,
])

export interface AuthRequestOverride {
  /** Path under the public origin, e.g. /api/auth/sign-in/email; defaults to the request's URL. */
  path?: string
  method?: string
  /** JSON body to send instead of the request's own. */
  json?: unknown
}

export function toAuthRequest(
  request: FastifyRequest,
  publicUrl: string,
  override: AuthRequestOverride = {},
): Request {
  // The URL is built on PUBLIC_URL, never on the client's Host header, so a
  // forged Host cannot steer Better Auth's origin checks or links.
  const url = new URL(override.path ?? request.url, publicUrl)
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  headers.set(CLIENT_IP_HEADER, request.ip)
  headers.set(REQUEST_PATH_HEADER, request.url.split('?')[0] as string)

  const method = override.method ?? request.method
  let body: string | undefined
  if (override.json !== undefined) {
    body = JSON.stringify(override.json)
    headers.set('content-type', 'application/json')
  } else if (method !== 'GET' && method !== 'HEAD' && request.body !== undefined && request.body !== null) {
    body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body)
  }
  return new Request(url, { method, headers, body })
}

/**
 * Aborts when the client closes its connection before the reply is sent, so
 * work queued on its behalf (password/admission.ts) can be dropped.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController()
  const response = reply.raw
  response.once('close', () => {
    if (!response.writableEnded) controller.abort()
  })
  return controller.signal
}

/** Copies a Web Response onto the Fastify reply, keeping every Set-Cookie. */
export async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status)
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie' || name === 'content-length' || name === 'content-encoding') continue
    reply.header(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) reply.header('set-cookie', cookies)
  const body = response.body === null ? null : Buffer.from(await response.arrayBuffer())
  return reply.send(body)
}
