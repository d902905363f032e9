import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { deferredChildLogger, loggerOptions } from '../../src/http/logger.ts'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const

function routes(app: FastifyInstance) {
  app.get('/quiet', async () => 'ok')
  app.get('/warns', async (request) => {
    request.log.warn({ headers: { cookie: 'better-auth.session_token=secret' } }, 'careful')
    request.log.warn('again')
    return 'ok'
  })
  app.get('/grandchild', async (request) => {
    request.log.child({ step: 'lookup' }).error('failed')
    return 'ok'
  })
  app.get('/verbose', { logLevel: 'debug' }, async (request) => {
    request.log.debug('route-level debug')
    return 'ok'
  })
  app.get('/levels', async (request) => {
    const seen = [request.log.level]
    for (const level of LEVELS) request.log[level](`line at ${level}`)
    request.log.silent('never written')
    request.log.level = 'fatal'
    request.log.error('line below the new level')
    seen.push(request.log.level)
    return seen
  })
}

/** A Fastify app with the gateway's logger config, its lines parsed, and a count of pino children made. */
async function appWithLog(level: string) {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)))
      callback()
    },
  })
  const options = loggerOptions(level, false) as Record<string, unknown>
  const app = Fastify({ logger: { ...options, stream }, childLoggerFactory: deferredChildLogger })
  routes(app)
  await app.ready()
  let children = 0
  const child = app.log.child
  // `this`, not a bound parent: pino children inherit this method, and theirs
  // must still make grandchildren of themselves.
  app.log.child = function (this: typeof app.log, ...args: Parameters<typeof child>) {
    children++
    return child.apply(this, args)
  }
  return { app, lines, children: () => children }
}

t.test('a request that writes nothing costs no pino child', async (t) => {
  const { app, lines, children } = await appWithLog('warn')
  t.teardown(() => app.close())
  await app.inject('/quiet')
  t.equal(children(), 0)
  t.strictSame(lines, [])
})

t.test('written lines are pino’s own: request id bound once, credentials redacted', async (t) => {
  const { app, lines, children } = await appWithLog('warn')
  t.teardown(() => app.close())
  await app.inject('/warns')
  t.equal(children(), 1, 'one child for both lines')
  t.equal(lines.length, 2)
  t.match(lines[0], { level: 40, reqId: 'req-1', msg: 'careful', headers: { cookie: '[redacted]' } })
  t.match(lines[1], { reqId: 'req-1', msg: 'again' })

  await app.inject('/grandchild')
  t.match(lines[2], { level: 50, reqId: 'req-2', step: 'lookup', msg: 'failed' })
})

t.test('at info, Fastify’s request lines carry the id', async (t) => {
  const { app, lines } = await appWithLog('info')
  t.teardown(() => app.close())
  await app.inject('/quiet')
  t.match(lines, [
    { reqId: 'req-1', msg: 'incoming request' },
    { reqId: 'req-1', msg: 'request completed' },
  ])
})

t.test('a route with its own log level gets it', async (t) => {
  const { app, lines } = await appWithLog('warn')
  t.teardown(() => app.close())
  await app.inject('/verbose')
  t.ok(lines.some((line) => line.msg === 'route-level debug'))
})

t.test('every level method writes at its own level; the level reads and sets', async (t) => {
  const { app, lines } = await appWithLog('trace')
  t.teardown(() => app.close())
  const res = await app.inject('/levels')
  t.strictSame(res.json(), ['trace', 'fatal'])
  const written = lines.filter((line) => String(line.msg).startsWith('line '))
  t.strictSame(
    written.map((line) => [line.level, line.msg]),
    LEVELS.map((level, i) => [10 * (i + 1), `line at ${level}`]),
  )
})

t.test('without a level-aware logger, Fastify gets a plain child', async (t) => {
  const app = Fastify({ childLoggerFactory: deferredChildLogger })
  routes(app)
  t.teardown(() => app.close())
  t.equal((await app.inject('/warns')).statusCode, 200)
})

t.test('a failed query’s parameters (session tokens) never reach a log line', async (t) => {
  const { DrizzleQueryError } = await import('drizzle-orm/errors')
  const { app, lines } = await appWithLog('warn')
  t.teardown(() => app.close())
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432')
  const error = new DrizzleQueryError(
    'select "token" from "session" where "token" = any($1::text[])',
    [['tok-secret-1', 'tok-secret-2']],
    cause,
  )
  app.log.warn({ err: error }, 'session validation failed; refusing to forward')
  const line = JSON.stringify(lines[0])
  t.notMatch(line, /tok-secret/, 'no token anywhere in the line')
  t.match(lines[0], {
    err: {
      type: 'DrizzleQueryError',
      params: '[redacted]',
      message: /^Failed query: select .*\nparams: \[redacted\]$/,
    },
  })
  t.match(line, /ECONNREFUSED/, 'the cause still says what went wrong')
  app.log.warn({ err: new Error('plain') }, 'other')
  t.match(lines[1], { err: { type: 'Error', message: 'plain' } }, 'other errors as pino writes them')
})
