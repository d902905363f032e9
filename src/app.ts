// buildApp(config): the whole gateway as a Fastify instance that tests
// inject() into. It registers plugins, then routes, then the one error
// handler; it never listens (src/server.ts does).
import type { Server } from 'node:http'
import Fastify, {
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import type { Database } from '../db/client.ts'
import apiProxy from '../routes/api/index.ts'
import authRoutes from '../routes/auth/index.ts'
import docsProxy from '../routes/docs/index.ts'
import healthRoutes from '../routes/health/index.ts'
import jwksRoutes from '../routes/jwks/index.ts'
import metricsRoutes from '../routes/metrics/index.ts'
import pageRoutes from '../routes/pages/index.ts'
import verifyRoutes from '../routes/verify/index.ts'
import assertionPlugin from './assertion/plugin.ts'
import authPlugin from './auth/plugin.ts'
import type { Config } from './config/config.ts'
import databasePlugin from './database-plugin.ts'
import { timeRequestBody } from './http/body-timeout.ts'
import { errorHandler } from './http/error-handler.ts'
import { BadFraming } from './http/errors.ts'
import { continueUnlessDeferred, deferContinue } from './http/expect-continue.ts'
import { framingProblem } from './http/framing.ts'
import { deferredChildLogger, loggerOptions } from './http/logger.ts'
import { requestIdFrom } from './http/request-id.ts'
import { compileTrust, type TrustFn } from './http/trust-proxy.ts'
import { routeUpgrades } from './http/upgrade-routing.ts'
import metricsPlugin from './metrics/plugin.ts'
import type { RequestCounts } from './metrics/request-counts.ts'
import { groupOfRoute } from './metrics/route-groups.ts'
import redisPlugin from './redis/plugin.ts'
import type { SharedState } from './redis/shared-state.ts'
import sessionPlugin from './session/plugin.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** TRUST_PROXY, compiled once: request.ip and the proxy's X-Forwarded-For use the same function. */
    trustPeer: TrustFn
  }
  interface FastifyRequest {
    /** Set when the response being sent came from an upstream (proxy/register.ts). */
    upstreamResponse: boolean
  }
}

export interface BuildOptions {
  /** Server-level options from server.ts: logger instance, timeouts. */
  fastify?: FastifyHttpOptions<Server>
  /** An already-open database the caller owns (tests); otherwise one is opened from config. */
  database?: Database
  /** The assertion signer's clock (tests walk through a key rotation with it). */
  now?: () => number
  /** In a cluster worker (WORKERS > 1): the other workers, through the primary (src/cluster/worker-state.ts). */
  siblings?: SharedState
  /** In a cluster worker with metrics on: the instance's metrics, gathered by the primary (src/cluster/metrics.ts). */
  instanceMetrics?: () => Promise<string>
}

export type ResolvedConfig = Config & { secret: string }

export async function buildApp(config: ResolvedConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Compiled once: Fastify's request.ip and the proxy's X-Forwarded-For must agree.
  const trustPeer = compileTrust(config.trustProxy)
  const app = Fastify({
    logger: loggerOptions(config.logLevel, false),
    childLoggerFactory: deferredChildLogger,
    trustProxy: trustPeer,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // Identity and proxy routes must see paths exactly as sent; never let
    // the router "helpfully" merge spellings the backend would treat apart.
    routerOptions: { ignoreDuplicateSlashes: false, ignoreTrailingSlash: false, caseSensitive: true },
    bodyLimit: 1024 * 1024,
    // Start-up may wait on the database: a first start of the embedded one
    // runs initdb, and migrations queue behind another instance's advisory
    // lock. Fastify's 10 s default turned a slow start into a crash; nothing
    // listens until the database is ready anyway.
    pluginTimeout: 120_000,
    ...options.fastify,
  })

  app.decorate('trustPeer', trustPeer)
  app.setErrorHandler(errorHandler)
  // Upgrades and Expect: 100-continue reach the router like any request, so
  // the hooks and the identity gate below decide them too.
  routeUpgrades(app)
  deferContinue(app)
  // Callback-style: an async hook costs a promise per request, and more while
  // a Better Auth call keeps async_hooks on (Node 20 and 22).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    const framing = framingProblem(request.headers, (request.raw as { upgrade?: boolean }).upgrade)
    if (framing === undefined) {
      timeRequestBody(request.raw, reply.raw, config.requestBodyIdleTimeoutMs)
      continueUnlessDeferred(request, reply)
      return done()
    }
    // The rest of the connection cannot be trusted to be framed right either.
    reply.header('connection', 'close')
    done(new BadFraming(framing))
  })
  app.decorateRequest('upstreamResponse', false)

  await app.register(metricsPlugin, { config })
  // Async on purpose, unlike onRequest: it holds every answer back by a
  // microtask. When Node's parser rejects what follows a head in the same
  // packet ("Transfer-Encoding: xchunked", a malformed chunk), the clientError
  // handler answers 400 and destroys the socket first; an answer written
  // synchronously before that (a 404, a redirect) would be a second response
  // to one request (test/attacks/framing-size.test.ts).
  // With metrics on, the same hook counts the gateway's own answers (proxied
  // ones are counted by the proxy, which knows their upstream); with metrics
  // off it is the plain one, so nothing counts at all.
  app.addHook(
    'onSend',
    app.metrics === undefined ? ownAnswerHeaders : countingOwnAnswers(app.metrics.requests),
  )

  await app.register(databasePlugin, { config, database: options.database })
  await app.register(redisPlugin, { config, siblings: options.siblings })
  await app.register(assertionPlugin, { config, now: options.now })
  await app.register(authPlugin, { config })
  await app.register(sessionPlugin, { config })

  await app.register(healthRoutes)
  await app.register(authRoutes, { config })
  await app.register(pageRoutes, { config })
  await app.register(verifyRoutes)
  await app.register(jwksRoutes)
  await app.register(metricsRoutes, { config, instanceMetrics: options.instanceMetrics })
  await app.register(apiProxy, { config })
  await app.register(docsProxy, { config })

  app.get('/', async (_request, reply) => reply.redirect('/docs/', 302))
  return app
}

// Every answer the gateway writes itself; a proxied site keeps its own headers.
async function ownAnswerHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (!request.upstreamResponse) reply.header('x-content-type-options', 'nosniff')
  return payload
}

/** ownAnswerHeaders, and each of those answers counted by its route's group, method and status. */
function countingOwnAnswers(requests: RequestCounts) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!request.upstreamResponse) {
      reply.header('x-content-type-options', 'nosniff')
      // routeOptions is built on each read: fine here, off the proxied hot path.
      requests.count(groupOfRoute(request.routeOptions.url), request.method, reply.statusCode)
    }
    return payload
  }
}
