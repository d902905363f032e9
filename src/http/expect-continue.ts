// `Expect: 100-continue` (curl above 1 MiB, Java, .NET, many SDKs): the client
// waits for "100 Continue" before sending its body. Node would send it at
// once, before any route ran; undici cannot forward the header at all. The
// gateway answers the expectation itself, and on a proxied route only once
// the identity gate has let the request through, so a refused upload is
// answered 401 without its body ever being sent (RFC 9110 §10.1.1).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

const EXPECTS = Symbol('expects 100-continue')

type ExpectingRequest = IncomingMessage & { [EXPECTS]?: true }

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route sends 100 Continue itself once it accepts the body (proxy/register.ts). */
    defersContinue?: boolean
  }
}

/** Takes over Node's automatic 100 Continue on `app.server`. */
export function deferContinue(app: FastifyInstance): void {
  app.server.on('checkContinue', (req: ExpectingRequest, res: ServerResponse) => {
    req[EXPECTS] = true
    app.server.emit('request', req, res)
  })
}

/** For onRequest: every route that does not defer sends 100 Continue up front, as Node would. */
export function continueUnlessDeferred(request: FastifyRequest, reply: FastifyReply): void {
  if ((request.raw as ExpectingRequest)[EXPECTS] !== true) return
  if (request.routeOptions.config?.defersContinue === true) return
  reply.raw.writeContinue()
}

/** True while a request waits for 100 Continue. */
export function expectsContinue(request: FastifyRequest): boolean {
  return (request.raw as ExpectingRequest)[EXPECTS] === true
}

/** For a deferring route, once the request is accepted: the client may now send its body. */
export function acceptBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw as ExpectingRequest
  if (raw[EXPECTS] !== true) return
  raw[EXPECTS] = undefined
  reply.raw.writeContinue()
}
