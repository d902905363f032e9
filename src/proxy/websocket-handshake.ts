// Which upgrade requests are websocket handshakes the gateway may tunnel.
import type { FastifyRequest } from 'fastify'

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
