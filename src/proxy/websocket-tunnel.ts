// A websocket upgrade that passed the identity gate becomes a byte tunnel:
// the upstream receives the gateway's headers on the handshake, its answer
// (101 with its own subprotocol and extensions, or a refusal) reaches the
// client as it was sent, and then the two sockets are piped. Frames, close
// codes and reasons therefore pass end to end, as on a direct connection;
// @fastify/http-proxy's websocket mode instead ends the client's websocket
// at the gateway and opens a second one upstream (see shared notes).
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { UpstreamTimeout, UpstreamUnavailable } from '../http/errors.ts'
import type { PendingUpgrade } from '../http/upgrade-routing.ts'
import { isIdentityHeader } from '../session/identity-headers.ts'
import type { Tunnels } from './tunnels.ts'
import { clientResponseHeaders, type OutgoingHeaders } from './upstream-headers.ts'

export interface TunnelOptions {
  /** The upstream's origin. */
  upstream: URL
  /** The handshake's headers for the upstream, from buildUpstreamHeaders (no hop-by-hop). */
  headers: OutgoingHeaders
  /** Time to the upstream's answer to the handshake (ms); then 504. */
  timeoutMs: number
  tunnels: Tunnels
}

/** Bytes a client may send before the upstream has answered its handshake. */
const MAX_EARLY_BYTES = 64 * 1024

/**
 * Sends the handshake upstream on a connection of its own and, on 101, joins
 * the sockets. A refusal (any other status) is relayed with its body, then the
 * connection closes. Faults before an answer: 502, or 504 after `timeoutMs`.
 * A client that leaves mid-handshake takes the upstream request with it; so
 * does shutdown. Never throws: a fault in here ends both connections.
 */
export function openTunnel(
  request: FastifyRequest,
  reply: FastifyReply,
  { socket: client, head }: PendingUpgrade,
  { upstream, headers, timeoutMs, tunnels }: TunnelOptions,
): void {
  // Shutting down: no new handshake goes upstream, where nothing could abort it.
  if (tunnels.closed) return void client.destroy()
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest
  const upstreamRequest = send({
    protocol: upstream.protocol,
    hostname: upstream.hostname,
    port: upstream.port,
    method: 'GET',
    path: request.raw.url,
    headers: { ...headers, host: upstream.host, connection: 'Upgrade', upgrade: 'websocket' },
    // An upgraded connection is never returned to a pool.
    agent: false,
  })
  // Bytes the client sends before the answer are kept for the upstream. Read
  // rather than left in the socket: unread bytes would hide the client's FIN.
  const early: Buffer[] = head.length > 0 ? [head] : []
  let earlyBytes = head.length
  let answered = false
  let timedOut = false
  const abandon = () => {
    upstreamRequest.destroy()
    client.destroy()
  }
  const untrack = tunnels.handshake(abandon)
  const settle = () => {
    answered = true
    clearTimeout(timer)
    untrack()
    client.off('data', keepEarly)
    client.off('end', clientGone)
    client.off('close', clientGone)
  }
  const keepEarly = (chunk: Buffer) => {
    early.push(chunk)
    earlyBytes += chunk.length
    if (earlyBytes > MAX_EARLY_BYTES) clientGone()
  }
  const clientGone = () => {
    if (answered) return
    settle()
    abandon()
  }
  const timer = setTimeout(() => {
    timedOut = true
    upstreamRequest.destroy()
  }, timeoutMs)
  client.on('data', keepEarly)
  // The server's sockets are half-open capable: a client that hangs up
  // mid-handshake sends its FIN ('end') long before the socket 'close's.
  client.once('end', clientGone)
  client.once('close', clientGone)

  const guarded =
    <A extends unknown[]>(handler: (...args: A) => void) =>
    (...args: A) => {
      try {
        handler(...args)
      } catch (err) {
        request.log.error({ err }, 'websocket tunnel failed')
        abandon()
      }
    }

  upstreamRequest.on(
    'upgrade',
    guarded((response: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
      settle()
      client.pause()
      if (client.destroyed || tunnels.closed) {
        upstreamSocket.destroy()
        client.destroy()
        return
      }
      reply.hijack()
      client.write(switchingProtocolsHead(response, request.id, reply.getHeader('set-cookie')))
      if (upstreamHead.length > 0) client.write(upstreamHead)
      for (const chunk of early) upstreamSocket.write(chunk)
      // Frames are small and latency-bound; Nagle would hold them back.
      for (const socket of [client, upstreamSocket]) (socket as Partial<Socket>).setNoDelay?.(true)
      tunnels.join(client, upstreamSocket)
    }),
  )
  upstreamRequest.on(
    'response',
    guarded((response: IncomingMessage) => {
      settle()
      const status = response.statusCode ?? 0
      if (status < 200 || status > 599) {
        // Not an HTTP status a client can be given (Fastify would throw).
        response.destroy()
        request.log.warn({ status }, 'websocket upstream answered an invalid status')
        return void reply.send(new UpstreamUnavailable())
      }
      // The upstream refused the upgrade: its answer is the client's answer.
      request.upstreamResponse = true
      reply.code(status).headers(clientResponseHeaders(response.headers)).send(response)
    }),
  )
  upstreamRequest.on(
    'error',
    guarded((err: Error) => {
      if (answered) return
      settle()
      if (client.destroyed) return
      request.log.warn({ err }, timedOut ? 'websocket upstream timed out' : 'websocket upstream failed')
      reply.send(timedOut ? new UpstreamTimeout() : new UpstreamUnavailable())
    }),
  )
  upstreamRequest.end()
}

/**
 * The upstream's 101 as it sent it, less identity headers, plus the request
 * id and any session cookie the identity gate refreshed on this handshake.
 */
function switchingProtocolsHead(
  response: IncomingMessage,
  requestId: string,
  setCookie: ReturnType<FastifyReply['getHeader']>,
): string {
  let head = `HTTP/1.1 101 ${response.statusMessage || 'Switching Protocols'}\r\n`
  let hasRequestId = false
  const raw = response.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (isIdentityHeader(lower)) continue
    if (lower === 'x-request-id') hasRequestId = true
    head += `${name}: ${raw[i + 1]}\r\n`
  }
  if (!hasRequestId) head += `x-request-id: ${requestId}\r\n`
  const cookies = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [String(setCookie)]
  for (const cookie of cookies) head += `set-cookie: ${cookie}\r\n`
  return `${head}\r\n`
}
