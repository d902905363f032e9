// Registers one upstream (the API or the docs site) behind the identity gate.
// The path is forwarded unchanged; the upstream sees only the headers
// upstream-headers.ts builds, on plain requests and websocket upgrades alike.
import httpProxy from '@fastify/http-proxy'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from './config.ts'
import { UpstreamTimeout, UpstreamUnavailable } from './errors.ts'
import { createIdentityGate } from './identity-gate.ts'
import { normalizePrefixes } from './path-policy.ts'
import { compileTrust } from './trust-proxy.ts'
import {
  buildUpstreamHeaders,
  clientResponseHeaders,
  forwardedFor,
  type UpstreamContext,
  WEBSOCKET_OWN,
} from './upstream-headers.ts'

export interface ProxyOptions {
  config: Config
  prefix: '/api' | '/docs'
  upstream: string
  surface: 'page' | 'api'
}

const TIMEOUT_CODES = new Set([
  'FST_REPLY_FROM_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_HTTP_REQUEST_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

export async function registerProxy(
  app: FastifyInstance,
  { config, prefix, upstream, surface }: ProxyOptions,
) {
  const trusted = compileTrust(config.trustProxy)
  const publicUrl = new URL(config.publicUrl)
  // The backend builds absolute URLs from these; they come from PUBLIC_URL,
  // not from the client's Host header, so a forged Host cannot reach them.
  const forwardedProto = publicUrl.protocol.slice(0, -1)
  const forwardedHost = publicUrl.host

  const contextOf = (
    request: Pick<FastifyRequest, 'identity' | 'id' | 'ip' | 'socket' | 'headers'>,
  ): UpstreamContext => {
    const peer = request.socket.remoteAddress ?? request.ip
    return {
      identity: request.identity?.identity ?? null,
      identityHeaders: request.identity?.headers,
      requestId: request.id,
      forwardedFor: forwardedFor(peer, request.headers['x-forwarded-for'], trusted(peer, 0)),
      forwardedProto,
      forwardedHost,
    }
  }

  // Upgrades take their headers only from this hook. Note the argument order,
  // (headers, request), the reverse of replyOptions; the published types omit
  // it, hence the cast.
  const wsClientOptions = {
    rewriteRequestHeaders: (_headers: unknown, request: FastifyRequest) =>
      buildUpstreamHeaders(request.headers, contextOf(request), WEBSOCKET_OWN),
  } as Record<string, unknown>

  app.decorateRequest('identity', null)
  await app.register(httpProxy, {
    upstream,
    prefix,
    rewritePrefix: prefix,
    websocket: true,
    config: { surface },
    preHandler: createIdentityGate({
      resolveSession: app.resolveSession,
      protectedPrefixes: normalizePrefixes(config.authRequiredPaths),
      routePrefix: prefix,
      surface,
    }),
    // The proxy's own per-request info lines would double the log volume of
    // the access log Fastify already writes.
    disableRequestLogging: true,
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: config.upstreamTimeoutMs,
      bodyTimeout: config.upstreamTimeoutMs,
    },
    replyOptions: {
      rewriteRequestHeaders: (request, headers) => buildUpstreamHeaders(headers, contextOf(request)),
      rewriteHeaders: (headers, request) => {
        if (request !== undefined) request.upstreamResponse = true
        return clientResponseHeaders(headers)
      },
      onError: (reply, { error }) => {
        // The raw error names the upstream's address; it goes to the log only.
        reply.request.log.warn({ err: error }, 'upstream request failed')
        const code = (error as { code?: string }).code ?? ''
        reply.send(TIMEOUT_CODES.has(code) ? new UpstreamTimeout() : new UpstreamUnavailable())
      },
      // reply-from retries a GET that got 503 up to ten times by default; the
      // client should see the upstream's 503 (and its Retry-After) instead.
      retryDelay: () => null,
    },
    wsClientOptions,
  })
}
