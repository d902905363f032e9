// Faults get a clear 5xx and lose nothing: dead, resetting and slow
// upstreams; a database that goes away under a running gateway.

import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import t from 'tap'
import { startEchoUpstream } from '../fixtures/echo-upstream.ts'
import { createTestDatabase, driverUnderTest } from '../fixtures/test-database.ts'
import { buildHarness, fileDatabase, ORIGIN, signIn, signUp } from '../helper.ts'

const db = await fileDatabase(t)

/** A port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

const leaks = (body: string, port: number) =>
  body.includes('127.0.0.1') || body.includes(String(port)) || /ECONN|undici|stack/i.test(body)

const PRODUCTION = { NODE_ENV: 'production', BETTER_AUTH_SECRET: 'a production secret of 32+ characters' }
const NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' }

t.test('upstream refused in production: 502, JSON for the API, HTML for pages, no internals', async (t) => {
  const port = await deadPort()
  const dead = `http://127.0.0.1:${port}`
  const { app } = await buildHarness(t, {
    db,
    env: { ...PRODUCTION, API_UPSTREAM_URL: dead, DOCS_UPSTREAM_URL: dead },
  })
  const api = await app.inject({ url: '/api/x' })
  t.equal(api.statusCode, 502)
  t.equal(api.json().code, 'GW_BAD_GATEWAY')
  t.notOk(leaks(api.body, port), 'no address or driver text in the body')
  const page = await app.inject({ url: '/docs/intro' })
  t.equal(page.statusCode, 502)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, /<h1>502<\/h1>/)
  t.notOk(leaks(page.body, port))
})

t.test('upstream not running, outside production: the 502 says which and how to start it', async (t) => {
  const apiPort = await deadPort()
  const docsPort = await deadPort()
  const { app } = await buildHarness(t, {
    db,
    env: {
      API_UPSTREAM_URL: `http://127.0.0.1:${apiPort}`,
      DOCS_UPSTREAM_URL: `http://localhost:${docsPort}`,
    },
  })
  const page = await app.inject({ url: '/docs/intro', headers: NAVIGATION })
  t.equal(page.statusCode, 502)
  t.match(
    page.body,
    `Nothing answers at http://localhost:${docsPort} (DOCS_UPSTREAM_URL)`,
    'which upstream, where',
  )
  t.match(
    page.body,
    /<pre><code>cd examples\/docs-site\nnpm ci &amp;&amp; npm run build\n/,
    'the example’s commands',
  )
  t.match(page.body, `PORT=${docsPort} npm run serve</code></pre>`, 'for that very port')

  const api = await app.inject({ url: '/api/items' })
  t.equal(api.statusCode, 502)
  t.equal(api.json().code, 'GW_BAD_GATEWAY', 'the same code as in production')
  t.match(api.json().message, `Nothing answers at http://127.0.0.1:${apiPort} (API_UPSTREAM_URL)`)
  t.match(api.json().message, `uvicorn main:app --host 127.0.0.1 --port ${apiPort}`)

  // The hint is for the developer at this machine, not for anyone who can reach the port.
  for (const remoteAddress of ['10.0.0.7', '2001:db8::7']) {
    const remote = await app.inject({ url: '/docs/intro', headers: NAVIGATION, remoteAddress })
    t.equal(remote.statusCode, 502)
    t.notOk(leaks(remote.body, docsPort), `a client at ${remoteAddress}: no address, no command`)
  }
  const local = await app.inject({ url: '/api/items', remoteAddress: '::ffff:127.0.0.1' })
  t.match(local.json().message, 'Nothing answers at', 'an IPv4-mapped loopback client gets it')
})

t.test('upstream resets the connection: 502, and no start hint (it is running)', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const res = await app.inject({ url: '/api/__reset' })
  t.equal(res.statusCode, 502)
  t.notOk(leaks(res.body, api.port))
  t.equal(res.json().message, 'The upstream service is unavailable')
})

t.test('upstream too slow: 504 after UPSTREAM_TIMEOUT_MS', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { UPSTREAM_TIMEOUT_MS: '300' } })
  const res = await app.inject({ url: '/api/__slow' })
  t.equal(res.statusCode, 504)
  t.equal(res.json().code, 'GW_GATEWAY_TIMEOUT')
  t.notOk(leaks(res.body, api.port))
  const page = await app.inject({ url: '/docs/__slow' })
  t.equal(page.statusCode, 504)
  t.match(page.body, /<h1>504<\/h1>/)
})

t.test('database down: fail closed, answer 503, lose nothing', async (t) => {
  // A database of its own: this test takes it away.
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const { app, api, docs } = await buildHarness(t, { db: own })
  const user = await signUp(app)
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200)

  own.cut()

  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 503, '/readyz reports the outage')
  t.same(ready.json(), { status: 'unavailable', database: 'down' })
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'the process itself is alive')

  const before = api.received.length + docs.received.length
  const withSession = await app.inject({ url: '/api/data', headers: { cookie: user.cookie } })
  t.equal(withSession.statusCode, 503, 'a session that cannot be validated is refused')
  t.equal(withSession.headers['retry-after'], '5')
  t.equal(withSession.json().code, 'GW_SESSION_UNAVAILABLE')
  const pageWithSession = await app.inject({ url: '/docs/intro', headers: { cookie: user.cookie } })
  t.equal(pageWithSession.statusCode, 503)
  t.match(pageWithSession.body, /<h1>503<\/h1>/)
  t.equal(api.received.length + docs.received.length, before, 'never forwarded, with or without identity')

  const anonymous = await app.inject({ url: '/api/public' })
  t.equal(anonymous.statusCode, 200, 'anonymous traffic needs no database and still flows')

  const signInRes = await signIn(app, user)
  t.equal(signInRes.statusCode, 503, 'sign-in answers 503, not an empty 500')
  t.equal(signInRes.headers['retry-after'], '5')
  t.equal(signInRes.json().code, 'GW_AUTH_UNAVAILABLE')
  const signUpRes = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    payload: { name: 'n', email: 'during-outage@example.com', password: 'long enough password' },
  })
  t.equal(signUpRes.statusCode, 503, 'sign-up answers 503')

  if (driverUnderTest === 'pglite') return // an embedded database cannot come back in-process
  own.restore()
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'ready again once the database is back')
  const again = await app.inject({ url: '/api/data', headers: { cookie: user.cookie } })
  t.equal(again.statusCode, 200)
  t.ok(api.last().headers['x-user-id'], 'the session survived the outage')
  t.equal(
    (await signIn(app, { email: 'during-outage@example.com', password: 'long enough password' })).statusCode,
    401,
    'the sign-up refused during the outage left nothing half-written',
  )
})

t.test('an upstream that comes back is used again', async (t) => {
  const api = await startEchoUpstream()
  const { app } = await buildHarness(t, { db, api })
  const port = api.port
  await api.close()
  t.equal((await app.inject({ url: '/api/x' })).statusCode, 502)
  const revived = await startEchoUpstreamOn(port)
  t.teardown(() => revived.close())
  t.equal((await app.inject({ url: '/api/x' })).statusCode, 200)
})

async function startEchoUpstreamOn(port: number) {
  // The echo fixture binds port 0; for this one test bind a plain server on the old port.
  const { createServer: createHttp } = await import('node:http')
  const server = createHttp((_req, res) => res.end('{}')).listen(port, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  return { close: () => new Promise((r) => server.close(r)) }
}
