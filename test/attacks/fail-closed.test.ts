// The fail-closed contract, row by row: with the database unreachable, a
// request whose session cookie cannot be validated gets 503 with Retry-After
// and is never forwarded, with or without identity. Rows run after the
// database was taken away (own.cut()) and assert on what the echo upstreams
// actually received. Control rows show that the outage does not take down
// what needs no database, and that a cookie Better Auth rejects without the
// database (bad signature, a name it does not read) is answered exactly as it
// is with the database up: no outage turns it into more access.
import type { InjectOptions } from 'fastify'
import t, { type Test } from 'tap'
import WebSocket from 'ws'
import { createTestDatabase } from '../fixtures/test-database.ts'
import { buildHarness, type Harness, listen, nextIp, ORIGIN, sessionCookie, signUp } from '../helper.ts'

const FAIL_CLOSED = 'contract: fail closed'
const AUTHELIA = 'Authelia CVE-2021-32637 / GHSA-68wm-pfjf-wqp6 (fail-open on error)'

interface Answer {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

interface Context {
  h: Harness
  port: number
  cookie: string
}

interface Row {
  name: string
  source: string
  send(ctx: Context): Promise<Answer>
  /** Extra checks on the refusal (the body says why, HTML for pages). */
  check?(t: Test, res: Answer): void
}

async function inject(h: Harness, options: InjectOptions): Promise<Answer> {
  const res = await h.app.inject(options)
  return { status: res.statusCode, headers: res.headers, body: res.body }
}

/** Opens a websocket through the gateway; resolves with the handshake answer. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers })
    ws.on('open', () => {
      ws.close()
      resolve({ status: 101, headers: {}, body: '' })
    })
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        ws.terminate()
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() })
      })
    })
    ws.on('error', reject)
  })
}

const saysSessionUnavailable = (t: Test, res: Answer) =>
  t.equal(JSON.parse(res.body).code, 'GW_SESSION_UNAVAILABLE', 'the JSON body says why')

const REFUSED: Row[] = [
  {
    name: 'valid session cookie on a public API path',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) => inject(h, { url: '/api/x', headers: { cookie } }),
    check: saysSessionUnavailable,
  },
  {
    name: 'valid session cookie on a protected API path (503, not 401)',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) => inject(h, { url: '/api/private/x', headers: { cookie } }),
    check: saysSessionUnavailable,
  },
  {
    name: 'valid session cookie plus a spoofed X-User-Id: admin',
    source: `${AUTHELIA}; GHSA-7r4p-vjf4-gxv4 (X-User-Id: admin)`,
    send: ({ h, cookie }) => inject(h, { url: '/api/x', headers: { cookie, 'x-user-id': 'admin' } }),
    check: saysSessionUnavailable,
  },
  {
    name: 'valid session cookie next to other cookies',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) =>
      inject(h, { url: '/api/x', headers: { cookie: `theme=dark; ${cookie}; lang=en` } }),
    check: saysSessionUnavailable,
  },
  {
    name: 'valid session cookie on a docs page: an HTML 503 page',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) => inject(h, { url: '/docs/page', headers: { cookie, accept: 'text/html' } }),
    check: (t, res) => {
      t.match(String(res.headers['content-type']), /^text\/html/, 'HTML for a browser surface')
      t.match(res.body, /<h1>503<\/h1>/)
    },
  },
  {
    name: 'websocket upgrade to /api/socket with a valid session cookie',
    source: FAIL_CLOSED,
    send: ({ port, cookie }) => upgrade(port, '/api/socket', { cookie, origin: ORIGIN }),
  },
  {
    name: 'HEAD with a valid session cookie',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) => inject(h, { method: 'HEAD', url: '/api/x', headers: { cookie } }),
  },
  {
    name: 'POST with a valid session cookie',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) =>
      inject(h, { method: 'POST', url: '/api/x', headers: { cookie }, payload: { action: 'transfer' } }),
    check: saysSessionUnavailable,
  },
]

/** Cookies Better Auth rejects without a query: the outage must not change their answer. */
const REJECTED_WITHOUT_DATABASE: Row[] = [
  {
    name: 'forged cookie better-auth.session_token=forged.sig on a public path',
    source: AUTHELIA,
    send: ({ h }) =>
      inject(h, { url: '/api/x', headers: { cookie: 'better-auth.session_token=forged.sig' } }),
  },
  {
    name: 'forged cookie better-auth.session_token=forged.sig on a protected path',
    source: AUTHELIA,
    send: ({ h }) =>
      inject(h, { url: '/api/private/x', headers: { cookie: 'better-auth.session_token=forged.sig' } }),
  },
  {
    // Never resolved to either copy (cookie tossing), so it needs no database.
    name: 'valid session cookie twice in one Cookie header: anonymous, with or without the database',
    source: FAIL_CLOSED,
    send: ({ h, cookie }) => inject(h, { url: '/api/x', headers: { cookie: `${cookie}; ${cookie}` } }),
  },
  {
    name: 'valid token under the __Secure- spelling on an http deployment (a name Better Auth does not read)',
    source: AUTHELIA,
    send: ({ h, cookie }) => inject(h, { url: '/api/x', headers: { cookie: `__Secure-${cookie}` } }),
  },
]

t.test('database cut: a session that cannot be validated is refused 503, never forwarded', async (t) => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const h = await buildHarness(t, { db: own, env: { AUTH_REQUIRED_PATHS: '/api/private' } })
  const port = await listen(h.app)
  const user = await signUp(h.app)
  const ctx: Context = { h, port, cookie: user.cookie }

  // With the database up, the same cookie is a session: the rows below are
  // refused because of the outage, not because the cookie is bad.
  const up = await inject(h, { url: '/api/x', headers: { cookie: user.cookie } })
  t.equal(up.status, 200, 'before the cut the session is valid')
  t.ok(h.api.last().headers['x-user-id'], 'and carries identity')
  const answersBefore = new Map<string, Answer>()
  for (const row of REJECTED_WITHOUT_DATABASE) answersBefore.set(row.name, await row.send(ctx))

  own.cut()

  // The rule under test is "no fresh cache entry → 503"; a session cached

  // before the outage may serve within its TTL (test/routes/session-cache.test.ts).

  h.app.sessionCache.clear()

  for (const row of REFUSED) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const before = h.api.received.length + h.docs.received.length
      const res = await row.send(ctx)
      t.equal(res.status, 503, '503: the session could not be validated')
      t.ok(res.headers['retry-after'], 'with Retry-After')
      row.check?.(t, res)
      t.equal(
        h.api.received.length + h.docs.received.length,
        before,
        'never forwarded, with or without identity',
      )
    })
  }

  for (const row of REJECTED_WITHOUT_DATABASE) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const expected = answersBefore.get(row.name) as Answer
      const before = h.api.received.length
      const res = await row.send(ctx)
      t.equal(res.status, expected.status, `the same answer as with the database up (${expected.status})`)
      t.not(res.status, 500, 'never a 500')
      if (res.status === 200) {
        t.equal(h.api.received.length, before + 1, 'forwarded as anonymous traffic')
        const got = h.api.last()
        t.notOk(got.headers['x-user-id'], 'without identity')
        t.notOk(got.headers.cookie, 'and without the auth cookie')
      } else {
        t.equal(res.status, 401, 'a protected path refuses it as anonymous')
        t.equal(h.api.received.length, before, 'and never forwards it')
      }
    })
  }
})

t.test('database cut on an https deployment: the __Secure- session cookie is refused 503', async (t) => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const publicUrl = 'https://gateway.example'
  const h = await buildHarness(t, { db: own, env: { PUBLIC_URL: publicUrl } })
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: publicUrl },
    remoteAddress: nextIp(),
    payload: { name: 'S', email: 'secure-outage@example.com', password: 'long enough password' },
  })
  const cookie = sessionCookie(res)
  t.match(cookie, /^__Host-better-auth\.session_token=/, 'the session cookie has the __Host- name')
  own.cut()
  // The rule under test is "no fresh cache entry → 503"; a session cached
  // before the outage may serve within its TTL (test/routes/session-cache.test.ts).
  h.app.sessionCache.clear()

  const before = h.api.received.length + h.docs.received.length
  for (const url of ['/api/x', '/docs/x']) {
    await t.test(`${url} [${FAIL_CLOSED}; ${AUTHELIA}]`, async (t) => {
      const refused = await h.app.inject({ url, headers: { cookie } })
      t.equal(refused.statusCode, 503, `${url}: 503 [${FAIL_CLOSED}; ${AUTHELIA}]`)
      t.ok(refused.headers['retry-after'], `${url}: with Retry-After`)
    })
  }
  t.equal(h.api.received.length + h.docs.received.length, before, 'never forwarded')
})

t.test('control rows during the outage [contract: fail closed]', async (t) => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const h = await buildHarness(t, { db: own, env: { AUTH_REQUIRED_PATHS: '/api/private' } })
  const user = await signUp(h.app)
  own.cut()
  // The rule under test is "no fresh cache entry → 503"; a session cached
  // before the outage may serve within its TTL (test/routes/session-cache.test.ts).
  h.app.sessionCache.clear()

  const anonymous = await h.app.inject({ url: '/api/public' })
  t.equal(anonymous.statusCode, 200, 'anonymous traffic to a public path needs no database')
  t.equal(h.api.last().url, '/api/public', 'and is forwarded')
  t.notOk(h.api.last().headers['x-user-id'], 'without identity')

  const before = h.api.received.length
  const protectedRes = await h.app.inject({ url: '/api/private/report' })
  t.equal(protectedRes.statusCode, 401, 'anonymous on a protected path: 401, no database needed')
  t.equal(protectedRes.json().code, 'GW_UNAUTHORIZED')
  t.equal(h.api.received.length, before, 'and never forwarded')

  const ready = await h.app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 503, '/readyz reports the outage')
  t.ok(ready.headers['retry-after'], '/readyz: with Retry-After')
  t.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200, '/healthz: the process is alive')

  const signIn = await h.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: { email: user.email, password: user.password },
  })
  t.equal(signIn.statusCode, 503, 'sign-in: 503, not 500')
  t.ok(signIn.headers['retry-after'], 'sign-in: with Retry-After')
  t.not(signIn.body, '', 'sign-in: not an empty body')
  t.equal(signIn.json().code, 'GW_AUTH_UNAVAILABLE')
})
