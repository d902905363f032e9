import { PassThrough } from 'node:stream'
import t from 'tap'
import { type RetryQuestion, upstreamRetryDelay } from '../../src/proxy/upstream-retry.ts'

const closed = { code: 'UND_ERR_SOCKET' }
const ask = (
  over: Partial<RetryQuestion> & { method?: string; headers?: Record<string, unknown>; body?: unknown },
) =>
  upstreamRetryDelay({
    err: 'err' in over ? over.err : closed,
    res: over.res,
    attempt: over.attempt ?? 0,
    req: { method: over.method ?? 'GET', headers: over.headers ?? {}, body: over.body ?? '' },
  })

t.test('retried once: idempotent, bodiless, connection closed before an answer', async (t) => {
  const rows: [string, Parameters<typeof ask>[0]][] = [
    ['GET on a connection the upstream closed (undici: other side closed)', {}],
    ['GET on a connection reset (ECONNRESET)', { err: { code: 'ECONNRESET' } }],
    ['GET written into a closed socket (EPIPE)', { err: { code: 'EPIPE' } }],
    ['HEAD', { method: 'HEAD' }],
    ['GET with no body at all (undefined)', { body: undefined }],
    ['OPTIONS', { method: 'OPTIONS' }],
    ['DELETE without a body', { method: 'DELETE' }],
    ['PUT with Content-Length: 0', { method: 'PUT', headers: { 'content-length': '0' } }],
  ]
  for (const [name, question] of rows) t.equal(ask(question), 1, name)
})

t.test('never retried', async (t) => {
  const rows: [string, Parameters<typeof ask>[0]][] = [
    ['a second time', { attempt: 1 }],
    ['POST', { method: 'POST' }],
    ['PATCH', { method: 'PATCH' }],
    ['PUT with a body', { method: 'PUT', headers: { 'content-length': '5' } }],
    [
      'PUT with a chunked body: no length header left, only the body stream (found in review: retried empty)',
      { method: 'PUT', body: new PassThrough() },
    ],
    ['DELETE with a body stream', { method: 'DELETE', body: new PassThrough() }],
    ['an upstream answer (its 503 is the client’s)', { err: null, res: { statusCode: 503 } }],
    ['a refused connection (a dead upstream, not a stale connection)', { err: { code: 'ECONNREFUSED' } }],
    ['a timeout', { err: { code: 'UND_ERR_HEADERS_TIMEOUT' } }],
    ['TRACE (never proxied)', { method: 'TRACE' }],
    ['an error without a code', { err: {} }],
  ]
  for (const [name, question] of rows) t.equal(ask(question), null, name)
})
