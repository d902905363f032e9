// Who owns which response headers. The gateway's own answers (its pages,
// errors, health and auth API) carry its hardening headers; proxied answers
// belong to the upstream and pass with the upstream's own security headers,
// neither replaced nor supplemented. No response, gateway or proxied, ever
// shows the identity headers the gateway injects upstream.
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { buildHarness, fileDatabase, nextIp, ORIGIN, signUp } from '../helper.ts'

const db = await fileDatabase(t)

const IDENTITY_HEADERS = ['x-user-id', 'x-user-email', 'x-user-name', 'x-auth-request-user', 'remote-user']
const OWASP_HEADERS = 'OWASP Secure Headers Project'

/** A port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

function directives(csp: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/)
    if (name) map.set(name.toLowerCase(), values.join(' '))
  }
  return map
}

function assertStrictCsp(t: Test, res: LightMyRequestResponse) {
  const csp = res.headers['content-security-policy']
  t.type(csp, 'string', 'a Content-Security-Policy header')
  const policy = directives(String(csp))
  t.equal(policy.get('default-src'), "'none'", "default-src 'none'")
  t.equal(policy.get('frame-ancestors'), "'none'", "frame-ancestors 'none' (clickjacking)")
  t.equal(policy.get('base-uri'), "'none'", "base-uri 'none' (base-tag injection)")
  t.equal(policy.get('form-action'), "'self'", "form-action 'self' (credential forms post home only)")
  t.notMatch(String(csp), /'unsafe-inline'|'unsafe-eval'/, "no 'unsafe-inline' or 'unsafe-eval'")
  t.notOk(policy.has('script-src'), 'no script-src: the pages run no script at all')
}

function assertNoIdentity(t: Test, res: LightMyRequestResponse) {
  for (const name of IDENTITY_HEADERS) t.notOk(res.headers[name], `no ${name} in the response`)
}

interface GatewayRow {
  name: string
  source: string
  kind: 'html' | 'json' | 'redirect'
  /** Auth API: the answer must never be cached by a shared cache. */
  noStore?: boolean
  url: string
  /** A JSON body, POSTed from the gateway's own origin. */
  payload?: Record<string, string>
  signedIn?: boolean
  expectStatus: number
}

const GATEWAY_ROWS: GatewayRow[] = [
  {
    name: 'sign-in page',
    source: `${OWASP_HEADERS}; CWE-1021 (clickjacking a credential form)`,
    kind: 'html',
    url: '/auth/sign-in',
    expectStatus: 200,
  },
  {
    name: 'sign-up page',
    source: `${OWASP_HEADERS}; CWE-1021 (clickjacking a credential form)`,
    kind: 'html',
    url: '/auth/sign-up',
    expectStatus: 200,
  },
  {
    name: 'account page, anonymous: redirect to sign-in',
    source: OWASP_HEADERS,
    kind: 'redirect',
    url: '/auth/account',
    expectStatus: 303,
  },
  {
    name: 'account page, signed in',
    source: `${OWASP_HEADERS}; CWE-1021`,
    kind: 'html',
    url: '/auth/account',
    signedIn: true,
    expectStatus: 200,
  },
  {
    name: 'a 404 for an unknown path',
    source: 'OWASP Secure Headers Project (X-Content-Type-Options on every response)',
    kind: 'json',
    url: '/no-such-route',
    signedIn: true,
    expectStatus: 404,
  },
  {
    name: "the gateway's own 401 on a protected API path",
    source: 'OWASP Secure Headers Project (X-Content-Type-Options on every response)',
    kind: 'json',
    url: '/api/private/report',
    expectStatus: 401,
  },
  {
    name: "the gateway's own 303 sign-in redirect on a protected docs path",
    source: 'OWASP Secure Headers Project (X-Content-Type-Options on every response)',
    kind: 'redirect',
    url: '/docs/internal/guide',
    expectStatus: 303,
  },
  {
    name: "the gateway's own 400 for a refused path on a proxied route",
    source: 'OWASP Secure Headers Project; GHSA-pxq7-h93f-9jrg (%23 fragment confusion refused)',
    kind: 'json',
    url: '/api/private%23/report',
    expectStatus: 400,
  },
  {
    name: "the gateway's own 400 HTML page for a refused path on a docs route",
    source: 'OWASP Secure Headers Project; GHSA-pxq7-h93f-9jrg (%23 fragment confusion refused)',
    kind: 'html',
    url: '/docs/guide%23/internal',
    expectStatus: 400,
  },
  {
    name: '/healthz',
    source: 'OWASP Secure Headers Project (X-Content-Type-Options on every response)',
    kind: 'json',
    url: '/healthz',
    expectStatus: 200,
  },
  {
    name: '/api/auth/get-session, signed in',
    source: 'RFC 9111 §5.2.2.5 (no-store for session JSON and Set-Cookie); OWASP Secure Headers Project',
    kind: 'json',
    noStore: true,
    url: '/api/auth/get-session',
    signedIn: true,
    expectStatus: 200,
  },
  {
    name: '/api/auth/get-session, anonymous',
    source: 'RFC 9111 §5.2.2.5; OWASP Secure Headers Project',
    kind: 'json',
    noStore: true,
    url: '/api/auth/get-session',
    expectStatus: 200,
  },
  {
    name: 'POST /api/auth/sign-in/email with a wrong password',
    source: 'RFC 9111 §5.2.2.5; OWASP Secure Headers Project',
    kind: 'json',
    noStore: true,
    url: '/api/auth/sign-in/email',
    payload: { email: 'nobody@example.com', password: 'wrong password here' },
    expectStatus: 401,
  },
]

t.test("the gateway's own responses carry its hardening headers", async (t) => {
  const { app } = await buildHarness(t, {
    db,
    env: { AUTH_REQUIRED_PATHS: '/api/private,/docs/internal' },
  })
  const user = await signUp(app)
  for (const row of GATEWAY_ROWS) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const headers: Record<string, string> = {
        accept: row.kind === 'json' ? 'application/json' : 'text/html',
      }
      if (row.signedIn) headers.cookie = user.cookie
      if (row.payload) headers.origin = ORIGIN
      const res = await app.inject({
        method: row.payload ? 'POST' : 'GET',
        url: row.url,
        headers,
        remoteAddress: nextIp(),
        ...(row.payload ? { payload: row.payload } : {}),
      })
      t.equal(res.statusCode, row.expectStatus, `status ${row.expectStatus}`)
      t.equal(res.headers['x-content-type-options'], 'nosniff', 'X-Content-Type-Options: nosniff')
      if (row.kind === 'html') {
        t.match(String(res.headers['content-type']), /^text\/html/)
        assertStrictCsp(t, res)
      }
      if (row.noStore) t.equal(res.headers['cache-control'], 'no-store', 'Cache-Control: no-store')
      assertNoIdentity(t, res)
    })
  }
})

t.test("a 502 HTML page for a dead docs upstream is the gateway's own page", async (t) => {
  const port = await deadPort()
  const { app } = await buildHarness(t, { db, env: { DOCS_UPSTREAM_URL: `http://127.0.0.1:${port}` } })
  const user = await signUp(app)
  const res = await app.inject({ url: '/docs/intro', headers: { accept: 'text/html', cookie: user.cookie } })
  t.equal(res.statusCode, 502)
  t.match(String(res.headers['content-type']), /^text\/html/)
  t.equal(res.headers['x-content-type-options'], 'nosniff', `nosniff [${OWASP_HEADERS}]`)
  assertStrictCsp(t, res)
  assertNoIdentity(t, res)
})

t.test('proxied responses belong to the upstream', async (t) => {
  const { app, api, docs } = await buildHarness(t, { db })
  const user = await signUp(app)
  const rows = [
    { name: 'GET /api/x', url: '/api/x', upstream: api },
    { name: 'GET /docs/x', url: '/docs/x', upstream: docs },
  ]
  for (const row of rows) {
    await t.test(`${row.name}, signed in [contract: a proxied site keeps its own headers]`, async (t) => {
      const res = await app.inject({ url: row.url, headers: { accept: 'text/html', cookie: user.cookie } })
      t.equal(res.statusCode, 200)
      t.ok(row.upstream.last().headers['x-user-id'], 'the upstream did receive identity')
      t.notOk(res.headers['content-security-policy'], "no gateway CSP added to the upstream's page")
      t.notOk(res.headers['x-frame-options'], 'no X-Frame-Options added')
      t.notOk(res.headers['x-content-type-options'], 'no nosniff added to a proxied 200')
      assertNoIdentity(t, res)
    })
  }

  await t.test(
    '/api/__echo-identity: upstream CSP passes unchanged, reflected identity is stripped [GHSA-7r4p-vjf4-gxv4; contract]',
    async (t) => {
      const res = await app.inject({
        url: '/api/__echo-identity',
        headers: { cookie: user.cookie, 'x-user-id': 'admin' },
      })
      t.equal(res.statusCode, 200)
      t.ok(api.last().headers['x-user-id'], 'the upstream did receive identity')
      t.equal(
        res.headers['content-security-policy'],
        "default-src 'self' upstream-own",
        "the upstream's own CSP, unchanged",
      )
      t.notOk(res.headers['x-frame-options'], 'no X-Frame-Options added')
      t.notOk(res.headers['x-content-type-options'], 'no nosniff added to a proxied 200')
      assertNoIdentity(t, res)
    },
  )
})
