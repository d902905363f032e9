// The proxy as the upstream sees it: every assertion is on what the echo
// upstream actually received.
import type { AddressInfo } from 'node:net'
import t from 'tap'
import WebSocket from 'ws'
import { buildHarness, fileDatabase, ORIGIN, received, signUp } from '../helper.ts'

const db = await fileDatabase(t)

t.test('identity reaches the upstream only with a valid session', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app, { name: 'Zoë Ünïcode' })

  const anonymous = await app.inject({ url: '/api/hello' })
  t.equal(anonymous.statusCode, 200)
  t.notOk(received(anonymous).headers['x-user-id'], 'anonymous request carries no identity')

  const signedIn = await app.inject({ url: '/api/hello?x=1&y=%2F', headers: { cookie: user.cookie } })
  t.equal(signedIn.statusCode, 200)
  const got = api.last()
  t.equal(got.url, '/api/hello?x=1&y=%2F', 'path and query forwarded unchanged')
  t.match(got.headers['x-user-id'], /^[A-Za-z0-9]+$/)
  t.equal(got.headers['x-user-email'], user.email, 'an ASCII email arrives as is')
  t.equal(got.headers['x-user-name'], 'Zo%C3%AB %C3%9Cn%C3%AFcode', 'UTF-8 percent-encoded, the space kept')

  await app.inject({ url: '/api/hello', headers: { cookie: 'better-auth.session_token=forged.signature' } })
  t.notOk(api.last().headers['x-user-id'], 'a forged cookie carries no identity')
  await app.inject({ url: '/api/hello', headers: { cookie: `${user.cookie.slice(0, -3)}abc` } })
  t.notOk(api.last().headers['x-user-id'], 'a cookie with a tampered signature carries no identity')
})

t.test('client identity headers are dropped in every spelling, session or not', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app)
  const spoofed = {
    'X-User-Id': 'admin',
    x_user_id: 'admin',
    'x.user.id': 'admin',
    'X-User-Email': 'admin@example.com',
    'X-User-Role': 'admin',
    'X-Auth-Request-User': 'admin',
    'X-Forwarded-User': 'admin',
    'X-Forwarded-Email': 'admin@example.com',
    'X-Forwarded-Groups': 'admins',
    'Remote-User': 'admin',
    Remote_Email: 'admin@example.com',
    'Remote-Name': 'admin',
    'Remote-Groups': 'admins',
  }
  for (const cookie of [undefined, user.cookie]) {
    await app.inject({ url: '/api/me', headers: { ...spoofed, ...(cookie ? { cookie } : {}) } })
    const got = api.last()
    const leaked = got.rawHeaders
      .filter((_, i) => i % 2 === 0)
      .filter((name) => /^(x[-_.](user|auth|forwarded[-_.](user|email|groups))|remote[-_.])/i.test(name))
    const expected = cookie ? ['x-user-id', 'x-user-email', 'x-user-name', 'x-user-assertion'] : []
    t.same(
      leaked,
      expected,
      `${cookie ? 'signed in' : 'anonymous'}: only the gateway's own identity headers arrive`,
    )
    if (cookie) t.not(got.headers['x-user-id'], 'admin')
  }
})

t.test('auth cookies stay at the gateway; other cookies pass', async (t) => {
  const { app, docs } = await buildHarness(t, { db })
  const user = await signUp(app)
  await app.inject({
    url: '/docs/page',
    headers: { cookie: `theme=dark; ${user.cookie}; better-auth.session_data=abc; lang=en` },
  })
  t.equal(docs.last().headers.cookie, 'theme=dark; lang=en')
  t.ok(docs.last().headers['x-user-id'], 'the session still identified the user')
  await app.inject({ url: '/docs/page', headers: { cookie: user.cookie } })
  t.notOk('cookie' in docs.last().headers, 'no Cookie header at all when only auth cookies were sent')
})

t.test('AUTH_REQUIRED_PATHS: 401 for the API, sign-in redirect for pages', async (t) => {
  const { app, api, docs } = await buildHarness(t, {
    db,
    env: { AUTH_REQUIRED_PATHS: '/api/private,/docs/internal' },
  })
  const apiRes = await app.inject({ url: '/api/private/report' })
  t.equal(apiRes.statusCode, 401)
  t.equal(apiRes.json().code, 'GW_UNAUTHORIZED')
  const page = await app.inject({ url: '/docs/internal/guide?tab=2', headers: { accept: 'text/html' } })
  t.equal(page.statusCode, 303)
  t.equal(page.headers.location, '/auth/sign-in?returnTo=%2Fdocs%2Finternal%2Fguide%3Ftab%3D2')
  const pageFetch = await app.inject({
    url: '/docs/internal/data.json',
    headers: { accept: 'application/json' },
  })
  t.equal(pageFetch.statusCode, 401, 'a script fetch gets 401, not a redirect')
  t.equal(api.received.length + docs.received.length, 0, 'nothing reached an upstream')

  t.equal((await app.inject({ url: '/api/privateer' })).statusCode, 200, 'slash-boundary match only')
  // Spellings a backend could decode into the protected path (found by the
  // table tests in test/proxy/path-policy.test.ts): same policy, or 400.
  for (const [url, status] of [
    ['/api/PRIVATE/report', 401],
    ['/api/%70rivate/report', 401],
    ['/api//private/report', 401],
    ['/api/public/../private/report', 401],
    ['/api/private;x=1/report', 401],
    ['/api/private%3F/report', 400],
    ['/api/private%23/report', 400],
    ['/api/%2525252570rivate', 400],
    ['/api/private%00/report', 400],
  ] as const) {
    t.equal((await app.inject({ url })).statusCode, status, `${url} → ${status}`)
  }
  t.equal((await app.inject({ url: '/api/public' })).statusCode, 200)

  const user = await signUp(app)
  const ok = await app.inject({ url: '/api/private/report', headers: { cookie: user.cookie } })
  t.equal(ok.statusCode, 200)
  t.ok(received(ok).headers['x-user-id'])
})

t.test('X-Request-Id and X-Forwarded-* as the contract says', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const kept = await app.inject({ url: '/api/x', headers: { 'x-request-id': 'trace-123.abc' } })
  t.equal(kept.headers['x-request-id'], 'trace-123.abc', 'a well-formed id is echoed')
  t.equal(api.last().headers['x-request-id'], 'trace-123.abc', 'and forwarded')

  const replaced = await app.inject({ url: '/api/x', headers: { 'x-request-id': 'bad id\twith spaces' } })
  t.match(replaced.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a malformed id is replaced')
  t.equal(api.last().headers['x-request-id'], replaced.headers['x-request-id'])

  await app.inject({
    url: '/api/x',
    remoteAddress: '192.0.2.10',
    headers: {
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-proto': 'gopher',
      'x-forwarded-host': 'evil.example',
      forwarded: 'for=6.6.6.6;host=evil.example',
      'x-real-ip': '6.6.6.6',
      'x-original-url': '/api/admin',
      host: 'evil.example',
    },
  })
  const got = api.last().headers
  t.equal(got['x-forwarded-for'], '192.0.2.10', 'untrusted peer: only the socket address')
  t.equal(got['x-forwarded-proto'], 'http')
  t.equal(got['x-forwarded-host'], 'localhost:3001', 'from PUBLIC_URL, not the Host header')
  t.notOk(got.forwarded)
  t.notOk(got['x-real-ip'])
  t.notOk(got['x-original-url'])
})

t.test('a trusted proxy chain is extended, not replaced', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { TRUST_PROXY: '127.0.0.1' } })
  await app.inject({
    url: '/api/x',
    remoteAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': '198.51.100.1' },
  })
  t.equal(api.last().headers['x-forwarded-for'], '198.51.100.1, 127.0.0.1')
})

t.test('connection-level headers cannot remove or alter injected ones', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app)
  const res = await app.inject({
    url: '/api/x',
    headers: {
      cookie: user.cookie,
      connection: 'keep-alive, x-user-id, x-forwarded-for, x-request-id',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
    },
  })
  t.equal(res.statusCode, 200, 'a client Keep-Alive is never a 500')
  const got = api.last().headers
  t.ok(got['x-user-id'], 'identity still injected')
  t.ok(got['x-forwarded-for'])
  t.ok(got['x-request-id'])
  t.notOk(got['keep-alive'])
  t.notOk(got['proxy-connection'])
})

t.test('upstream responses pass through, Set-Cookie included', async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({ url: '/api/__set-cookie' })
  t.equal(res.statusCode, 200)
  t.match(String(res.headers['set-cookie']), /upstream=1/)
  const unavailable = await app.inject({ url: '/api/__unavailable' })
  t.equal(unavailable.statusCode, 503, "the upstream's own 503 is passed on, not retried")
  t.equal(unavailable.headers['retry-after'], '7')
})

t.test('websocket upgrades: same stripping and injection, same policy', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { AUTH_REQUIRED_PATHS: '/api/private' } })
  const user = await signUp(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port

  const open = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; first?: { url: string; headers: Record<string, string> } }>(
      (resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers })
        ws.on('message', (data) => {
          ws.close()
          resolve({ status: 101, first: JSON.parse(data.toString()) })
        })
        ws.on('unexpected-response', (_req, res) => {
          ws.terminate()
          resolve({ status: res.statusCode ?? 0 })
        })
        ws.on('error', reject)
      },
    )

  const spoof = { 'x-user-id': 'admin', 'X-Auth-Request-Email': 'admin@example.com', remote_user: 'admin' }
  const signedIn = await open('/api/socket?room=1', {
    ...spoof,
    cookie: `${user.cookie}; theme=dark`,
    origin: ORIGIN,
  })
  t.equal(signedIn.status, 101)
  const headers = signedIn.first?.headers ?? {}
  t.equal(signedIn.first?.url, '/api/socket?room=1')
  t.ok(headers['x-user-id'] && headers['x-user-id'] !== 'admin', 'identity injected into the upgrade')
  t.equal(headers['x-user-email'], user.email)
  t.ok(headers['x-user-assertion'], 'and the assertion')
  t.notOk(headers['x-auth-request-email'])
  t.notOk(headers.remote_user)
  t.equal(headers.cookie, 'theme=dark', 'auth cookie stripped from the upgrade')
  t.ok(headers['x-request-id'])

  const anonymous = await open('/api/socket', spoof)
  t.equal(anonymous.status, 101)
  t.notOk(anonymous.first?.headers['x-user-id'], 'anonymous upgrade carries no identity')

  const before = api.received.length
  const refused = await open('/api/private/socket', {})
  t.equal(refused.status, 401, 'a protected upgrade without a session is refused')
  t.equal(api.received.length, before, 'and never reaches the upstream')
})
