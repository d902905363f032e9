// Connection-level limits for the listening server, in one place so that
// src/server.ts and the framing tests run with exactly the same settings.
import type { Server } from 'node:http'
import type { FastifyHttpOptions } from 'fastify'
import { clientErrorHandler } from './client-error.ts'

export interface ServerLimits {
  /** Request headers must arrive within this (slowloris). */
  headersTimeoutMs: number
  keepAliveTimeoutMs: number
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 15_000,
  keepAliveTimeoutMs: 65_000,
}

/** Node's own cap on the request line plus headers; larger heads get 431. */
export const MAX_HEADER_BYTES = 16 * 1024

export function serverOptions(limits: ServerLimits = DEFAULT_LIMITS): FastifyHttpOptions<Server> {
  return {
    // No bound on a whole request: a large upload on a slow link must be
    // able to finish. A body is timed by its silence instead
    // (REQUEST_BODY_IDLE_TIMEOUT_MS, body-timeout.ts).
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: 0,
    forceCloseConnections: 'idle',
    clientErrorHandler,
    // http.createServer options: Fastify passes them through to Node.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      maxHeaderSize: MAX_HEADER_BYTES,
      // Node checks the two timeouts above only this often (default 30 s),
      // which would let a slow client hold a socket far past them.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
  }
}
