// Registers one upstream (the API or the docs site) behind the identity gate.
// The path is forwarded unchanged; the upstream sees only the headers
// upstream-headers.ts builds, on plain requests and websocket upgrades alike.
// Plain HTTP goes through @fastify/http-proxy; a websocket handshake, once the
// gate has passed it, through the byte tunnel in websocket-tunnel.ts.
import type { ServerResponse } from 'node:http'
import httpProxy from '@fastify/http-proxy'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { Config } from '../config/config.ts'
import {
  BadWebsocketHandshake,
  UnsupportedWebsocketVersion,
  UpstreamTimeout,
  UpstreamUnavailable,
} from '../http/errors.ts'
import { acceptBody, expectsContinue } from '../http/expect-continue.ts'
import { pendingUpgrade } from '../http/upgrade-routing.ts'
import { createIdentityGate } from './identity-gate.ts'
import { normalizePrefixes } from './path-policy.ts'
import { Tunnels } from './tunnels.ts'
import {
  buildUpstreamHeaders,
  clientResponseHeaders,
  forwardedFor,
  type UpstreamContext,
} from './upstream-headers.ts'
import { isLoopbackClient, isNotRunning, startHint } from './upstream-hint.ts'
import { createLocationRewriter } from './upstream-location.ts'
import { countedResponse, timedRequestHeaders } from './upstream-metrics.ts'
import { onFreshConnection, UpstreamPool } from './upstream-pool.ts'
import { type RetryQuestion, upstreamRetryDelay } from './upstream-retry.ts'
import { handshakeProblem, isWebsocketHandshake } from './websocket-handshake.ts'
import { openTunnel } from './websocket-tunnel.ts'

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
  const trusted = app.trustPeer
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

  const gate = createIdentityGate({
    resolveSession: app.resolveSession,
    protectedPrefixes: normalizePrefixes(config.authRequiredPaths),
    routePrefix: prefix,
    surface,
  })
  const upstreamUrl = new URL(upstream)
  const hint = config.production ? undefined : startHint(prefix, upstreamUrl)
  const tunnels = new Tunnels()
  // Shutdown does not wait for websockets that may stay open for hours.
  app.addHook('preClose', (done) => {
    tunnels.closeAll()
    done()
  })

  // An upgrade or a held-back body is decided after the gate, never before.
  // A plain request costs two property reads more than the gate alone, and no
  // closure: this runs on every proxied request.
  const preHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const upgrade = pendingUpgrade(request)
    if (upgrade === undefined && !expectsContinue(request)) return gate(request, reply, done)
    gate(request, reply, (err?: Error) => {
      if (err !== undefined) return done(err)
      if (upgrade !== undefined && isWebsocketHandshake(request)) {
        const problem = handshakeProblem(request)
        if (problem === 'key')
          return done(new BadWebsocketHandshake('Sec-WebSocket-Key must be 16 bytes in base64'))
        if (problem === 'version') {
          reply.header('sec-websocket-version', '13')
          return done(new UnsupportedWebsocketVersion())
        }
        const headers = buildUpstreamHeaders(request.headers, contextOf(request))
        return openTunnel(request, reply, upgrade, {
          upstream: upstreamUrl,
          headers,
          timeoutMs: config.upstreamTimeoutMs,
          tunnels,
        })
      }
      acceptBody(request, reply)
      done()
    })
  }

  const publicLocation = createLocationRewriter(upstream, config.publicUrl)

  app.decorateRequest('identity', null)
  app.decorateRequest('privateResponse', false)
  const metrics = app.metrics
  // NaN, not 0: the field holds a double from the first request on, so V8
  // never has to change its representation (Smi → double) under load.
  if (metrics !== undefined) app.decorateRequest('upstreamSentAt', Number.NaN)
  // @fastify/http-proxy passes JSON and '*' bodies through as streams, but
  // Fastify's own text/plain parser would still read (and limit) a text
  // body, and read it before the gate could answer Expect: 100-continue.
  app.addContentTypeParser('text/plain', (_request, payload, done) => done(null, payload))
  await app.register(httpProxy, {
    upstream,
    prefix,
    rewritePrefix: prefix,
    // Upgrades are routed by http/upgrade-routing.ts and tunnelled above.
    websocket: false,
    config: { surface, defersContinue: true },
    preHandler,
    // The proxy's own per-request info lines would double the log volume of
    // the access log Fastify already writes.
    disableRequestLogging: true,
    undici: new UpstreamPool(upstream, {
      connections: 128,
      pipelining: 1,
      // Below the idle timeouts of common upstream servers (uvicorn and Node
      // 5 s), so the gateway, not the upstream, closes an idle connection.
      // An upstream's own `Keep-Alive: timeout=` is honoured (less 2 s).
      keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
      headersTimeout: config.upstreamTimeoutMs,
      // Between body chunks, not for the whole body: a quiet event stream
      // or a long download keeps flowing.
      bodyTimeout: config.upstreamIdleTimeoutMs,
    }),
    replyOptions: {
      rewriteRequestHeaders: timedRequestHeaders(
        (request, headers) => buildUpstreamHeaders(headers, contextOf(request)),
        metrics,
      ),
      rewriteHeaders: (headers, request) => {
        if (request !== undefined) request.upstreamResponse = true
        const kept = clientResponseHeaders(headers)
        if (kept.location !== undefined) kept.location = publicLocation(String(kept.location))
        const contentLocation = kept['content-location']
        if (contentLocation !== undefined) kept['content-location'] = publicLocation(String(contentLocation))
        // Whatever the upstream allows: a protected page kept in the browser's
        // cache is readable after sign-out, and a response carrying a session
        // cookie must never sit in a shared cache.
        if (request?.privateResponse) {
          kept['cache-control'] = 'private, no-store'
          delete kept.expires
        }
        return kept
      },
      // reply-from hands over its own response object, { statusCode,
      // headers, stream }, whatever the published types say.
      onResponse: countedResponse(
        (_request, reply, response) => {
          const { stream, headers } = response as unknown as {
            stream: NodeJS.ReadableStream
            headers: Record<string, unknown>
          }
          reply.send(stream)
          // Send the head as soon as it arrives, as a direct connection would:
          // an event stream's client sees it open before the first event. Only
          // bodies of unknown length (event streams, chunked) are checked; one
          // with a Content-Length is already flowing.
          if (headers['content-length'] === undefined) setImmediate(flushHead, reply.raw as ServerResponse)
        },
        metrics,
        prefix === '/api' ? 'api' : 'docs',
      ),
      onError: (reply, { error }) => {
        // The raw error names the upstream's address; it goes to the log only.
        reply.request.log.warn({ err: error }, 'upstream request failed')
        const code = (error as { code?: string }).code ?? ''
        if (TIMEOUT_CODES.has(code)) return void reply.send(new UpstreamTimeout())
        const unavailable = new UpstreamUnavailable()
        if (hint !== undefined && isNotRunning(error) && isLoopbackClient(reply.request.ip))
          Object.assign(unavailable, { startHint: hint })
        reply.send(unavailable)
      },
      // One retry of an idempotent request whose connection the upstream
      // closed under it (upstream-retry.ts). reply-from's default would also
      // retry a GET that got 503 ten times; the client sees that 503 instead.
      // reply-from passes its own request options as `req` (method, headers),
      // not what the published types say.
      retryDelay: (details) => {
        const question = details as unknown as RetryQuestion
        const delay = upstreamRetryDelay(question)
        if (delay !== null) onFreshConnection(question.req.headers)
        return delay
      },
    },
  })
}

/** Idle upstream connections are closed after this (ms) unless the upstream says otherwise. */
const UPSTREAM_KEEP_ALIVE_MS = 4_000

function flushHead(raw: ServerResponse): void {
  if (!raw.headersSent && !raw.destroyed) raw.flushHeaders()
}
