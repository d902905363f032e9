// Node hands an upgrade request (a websocket handshake) over as a bare socket,
// outside the HTTP pipeline. Each one is routed through Fastify like any other
// request, so the same hooks, path policy and identity gate decide it; a proxy
// route then tunnels it (proxy/websocket-tunnel.ts), and any other answer (401, 404,
// a page) is written on the socket, which then closes. The pattern is
// @fastify/http-proxy's own handleUpgrade.
import { type IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'

const PENDING = Symbol('pending upgrade')

export interface PendingUpgrade {
  /** The client's socket, no longer read by Node's HTTP parser. */
  socket: Duplex
  /** Bytes the client sent after its handshake, already read off the socket. */
  head: Buffer
}

type UpgradeRequest = IncomingMessage & { [PENDING]?: PendingUpgrade }

/** The socket of an upgrade request routed here, or undefined for a plain request. */
export function pendingUpgrade(request: FastifyRequest): PendingUpgrade | undefined {
  return (request.raw as UpgradeRequest)[PENDING]
}

/**
 * Sends every upgrade request on `app.server` through Fastify's router.
 * Answers that are not a tunnel end the connection: after an Upgrade request
 * the socket is no longer parsed as HTTP, so it cannot carry another request.
 */
export function routeUpgrades(app: FastifyInstance): void {
  app.server.on('upgrade', (req: UpgradeRequest, socket: Duplex, head: Buffer) => {
    // Node removed its own error handling with the parser; a reset must not
    // become an uncaught exception.
    socket.on('error', (err) => app.log.debug({ err }, 'upgrade socket error'))
    req[PENDING] = { socket, head }
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as never)
    res.on('finish', () => socket.end())
    app.routing(req, res)
  })
}
