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
import { UpstreamTimeout, UpstreamUnavailable } from './errors.ts'
import { isIdentityHeader } from './identity-headers.ts'
import type { PendingUpgrade } from './upgrade-routing.ts'
import { clientResponseHeaders, type OutgoingHeaders } from './upstream-headers.ts'

export interface TunnelOptions {
  /** The upstream's origin. */
  upstream: URL
  /** The handshake's headers for the upstream, from buildUpstreamHeaders (no hop-by-hop). */
  headers: OutgoingHeaders
  /** Time to the upstream's answer to the handshake (ms); then 504. */
  timeoutMs: number
  /** Live tunnel sockets, so that shutdown can end them. */
  open: Set<Duplex>
}

/** True for a websocket handshake (RFC 6455 §4.1), the one upgrade the gateway tunnels. */
export function isWebsocketHandshake(request: FastifyRequest): boolean {
  const upgrade = request.headers.upgrade
  return request.method === 'GET' && typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket'
}

// 16 random bytes, base64: 24 characters ending in "==" (RFC 6455 §4.1).
const WEBSOCKET_KEY = /^[A-Za-z0-9+/]{22}==$/

/**
 * What is wrong with a websocket handshake, or undefined when it is well-formed
 * (RFC 6455 §4.2.1: a key of 16 bytes in base64, version 13). Only well-formed
 * handshakes are tunnelled, so an upstream never has to judge a malformed one.
 */
export function handshakeProblem(request: FastifyRequest): 'key' | 'version' | undefined {
  const key = request.headers['sec-websocket-key']
  if (typeof key !== 'string' || !WEBSOCKET_KEY.test(key)) return 'key'
  if (request.headers['sec-websocket-version'] !== '13') return 'version'
  return undefined
}

/**
 * Sends the handshake upstream on a connection of its own and, on 101, joins
 * the sockets. A refusal (any other status) is relayed with its body, then the
 * connection closes. Faults before an answer: 502, or 504 after `timeoutMs`.
 * A client that leaves mid-handshake takes the upstream request with it.
 */
export function openTunnel(
  request: FastifyRequest,
  reply: FastifyReply,
  { socket: client, head }: PendingUpgrade,
  { upstream, headers, timeoutMs, open }: TunnelOptions,
): void {
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
  let answered = false
  let timedOut = false
  const settle = () => {
    answered = true
    clearTimeout(timer)
    client.off('end', clientGone)
    client.off('close', clientGone)
  }
  const clientGone = () => {
    if (answered) return
    settle()
    upstreamRequest.destroy()
    client.destroy()
  }
  const timer = setTimeout(() => {
    timedOut = true
    upstreamRequest.destroy()
  }, timeoutMs)
  // The server's sockets are half-open capable: a client that hangs up
  // mid-handshake sends its FIN ('end') long before the socket 'close's.
  client.once('end', clientGone)
  client.once('close', clientGone)

  upstreamRequest.on('upgrade', (response: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
    settle()
    if (client.destroyed) return upstreamSocket.destroy()
    reply.hijack()
    client.write(switchingProtocolsHead(response, request.id))
    if (upstreamHead.length > 0) client.write(upstreamHead)
    if (head.length > 0) upstreamSocket.write(head)
    join(client, upstreamSocket, open)
  })
  upstreamRequest.on('response', (response: IncomingMessage) => {
    settle()
    // The upstream refused the upgrade: its answer is the client's answer.
    request.upstreamResponse = true
    reply
      .code(response.statusCode ?? 502)
      .headers(clientResponseHeaders(response.headers))
      .send(response)
  })
  upstreamRequest.on('error', (err) => {
    if (answered) return
    settle()
    if (client.destroyed) return
    request.log.warn({ err }, timedOut ? 'websocket upstream timed out' : 'websocket upstream failed')
    reply.send(timedOut ? new UpstreamTimeout() : new UpstreamUnavailable())
  })
  upstreamRequest.end()
}

/** The upstream's 101 as it sent it, less identity headers, plus the request id. */
function switchingProtocolsHead(response: IncomingMessage, requestId: string): string {
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
  return `${head}\r\n`
}

/**
 * Pipes a and b both ways. A clean close of one side ends the other once its
 * pending bytes are written (a close frame in flight is delivered); an error
 * destroys both. Neither socket outlives the other.
 */
function join(a: Duplex, b: Duplex, open: Set<Duplex>): void {
  open.add(a)
  open.add(b)
  // Frames are small and latency-bound; Nagle would hold them back.
  for (const socket of [a, b]) (socket as Partial<Socket>).setNoDelay?.(true)
  a.pipe(b)
  b.pipe(a)
  const closed = (other: Duplex) => (hadError: boolean) => {
    open.delete(a)
    open.delete(b)
    if (other.destroyed) return
    if (hadError) other.destroy()
    else endThenDestroy(other)
  }
  a.once('close', closed(b))
  b.once('close', closed(a))
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
}

/** end(), then destroy once the bytes are out, or after 5 s of a peer that will not read. */
function endThenDestroy(socket: Duplex): void {
  const force = setTimeout(() => socket.destroy(), 5000)
  force.unref()
  socket.end(() => {
    clearTimeout(force)
    socket.destroy()
  })
}
