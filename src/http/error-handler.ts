// The one error handler. 4xx messages pass through (they tell the client what
// to fix); 5xx bodies never carry internals, only the gateway's own named
// messages; browser surfaces get a small HTML page, everything else JSON.
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { RETRY_AFTER_SECONDS, type StartHint } from './errors.ts'
import { errorPage, PAGE_CSP } from './html.ts'
import { wantsPage } from './request-kind.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'page' for routes a browser navigates to; their errors render as HTML. */
    surface?: 'page' | 'api'
  }
}

/** The reason phrase for `status`, from Node's table (499 is nginx's, absent there). */
export function statusText(status: number): string {
  return STATUS_CODES[status] ?? (status === 499 ? 'Client Closed Request' : 'Error')
}

function statusOf(error: { statusCode?: number }): number {
  const status = error.statusCode
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500
}

/** Only the gateway's own errors (GW_*) have messages written to be shown. */
function publicMessage(error: FastifyError, status: number): string {
  if (status < 500 || error.code?.startsWith('GW_')) return error.message
  return statusText(status)
}

/**
 * A small HTML page for someone looking at a page surface; JSON for scripts
 * and tools, which can act on it (request-kind.ts: Fetch Metadata, then
 * X-Requested-With, then Accept). The 401 of a protected path is always
 * JSON: on a page surface only non-navigations get it (navigations are sent
 * to sign in, see proxy/identity-gate.ts).
 */
function rendersPage(request: FastifyRequest, error: FastifyError): boolean {
  if (request.routeOptions.config?.surface !== 'page') return false
  if (error.code === 'GW_UNAUTHORIZED') return false
  return wantsPage(request.headers)
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = statusOf(error)
  if (status >= 500) request.log.error({ err: error }, 'request failed')
  else request.log.info({ code: error.code, statusCode: status }, error.message)

  // Set only outside production, on a 502 for an upstream that is not running.
  const hint = (error as { startHint?: StartHint }).startHint
  const message = hint === undefined ? publicMessage(error, status) : hint.message
  reply.code(status)
  if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  if (rendersPage(request, error)) {
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_CSP)
      .send(errorPage(status, message, hint?.commands))
  }
  return reply.send({
    statusCode: status,
    code: error.code ?? 'GW_ERROR',
    error: statusText(status),
    message: hint === undefined ? message : `${message} ${hint.commands.join(' && ')}`,
  })
}
