// Class 1: identity headers that cannot be forged. Each row is a header set an
// attacker sends; the echo upstream must receive only the gateway's own
// identity headers (for a signed-in user) or none (anonymous), on plain
// requests and websocket upgrades alike. Policy: client headers in the
// namespace are dropped, not rejected (see SECURITY.md).

import { decodeJwt } from 'jose'
import t from 'tap'
import WebSocket from 'ws'
import { rawRequest } from '../fixtures/raw-http.ts'
import { buildHarness, fileDatabase, listen, ORIGIN, signUp } from '../helper.ts'

const db = await fileDatabase(t)

// Well-formed, claims an admin, signed by nobody the gateway knows.
const FORGED_ASSERTION =
  'eyJhbGciOiJFZERTQSIsImtpZCI6ImZvcmdlZCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl'

interface Row {
  name: string
  source: string
  headers: Record<string, string>
}

const rows: Row[] = [
  {
    name: 'canonical identity headers',
    source: 'Caddy GHSA-7r4p-vjf4-gxv4',
    headers: { 'X-User-Id': 'admin', 'X-User-Role': 'superadmin' },
  },
  {
    name: 'email and name',
    source: 'Caddy GHSA-7r4p-vjf4-gxv4 (same class)',
    headers: { 'X-User-Email': 'admin@example.com', 'X-User-Name': 'Administrator' },
  },
  {
    name: 'a forged assertion in every spelling',
    source: 'Pomerium X-Pomerium-Jwt-Assertion (the header a backend trusts most)',
    headers: {
      'X-User-Assertion': FORGED_ASSERTION,
      x_user_assertion: FORGED_ASSERTION,
      'X.User.Assertion': FORGED_ASSERTION,
    },
  },
  {
    name: 'mixed case',
    source: 'oauth2-proxy GHSA-vjrc-mh2v-45x6 (capitalisation)',
    headers: { 'x-USER-iD': 'admin' },
  },
  {
    name: 'underscores (WSGI/CGI fold _ into -)',
    source: 'oauth2-proxy GHSA-vjrc-mh2v-45x6',
    headers: { X_User_Id: 'admin', X_User_Email: 'admin@example.com' },
  },
  {
    name: 'mixed underscore and dash',
    source: 'oauth2-proxy GHSA-vjrc-mh2v-45x6 (fix test: X-Auth_Request_User)',
    headers: { 'X-Auth_Request_User': 'evil', 'X-Auth-Request-Email': 'evil@example.com' },
  },
  {
    name: 'dots in place of dashes',
    source: 'inferred: frameworks folding . like _',
    headers: { 'x.user.id': 'admin' },
  },
  {
    name: 'oauth2-proxy family',
    source: 'oauth2-proxy GHSA-vjrc-mh2v-45x6 (X_Forwarded-User)',
    headers: {
      'X-Forwarded-User': 'admin',
      X_Forwarded_Email: 'admin@example.com',
      'X-Forwarded-Groups': 'admins',
      'X-Forwarded-Preferred-Username': 'admin',
      'X-Forwarded-Access-Token': 'stolen',
    },
  },
  {
    name: 'Remote-* family with underscores',
    source: 'Caddy GHSA-f59h-q822-g45g (Remote_Groups / Remote_User via FastCGI)',
    headers: {
      Remote_User: 'admin',
      Remote_Groups: 'admins',
      'Remote-Email': 'a@example.com',
      'Remote-Name': 'A',
    },
  },
  {
    name: 'X-Remote-* relatives',
    source: 'inferred: common backend conventions',
    headers: { 'X-Remote-User': 'admin', 'X-Remote-Groups': 'admins' },
  },
  {
    name: 'Connection names the injected identity header',
    source: '@fastify/reply-from GHSA-gwhp-pf74-vj37 / CVE-2026-33805',
    headers: { Connection: 'x-user-id', 'X-User-Id': 'admin' },
  },
  {
    name: 'Connection names identity and forwarding headers with keep-alive',
    source: '@fastify/reply-from GHSA-gwhp-pf74-vj37 / CVE-2026-33805',
    headers: {
      Connection: 'X-User-Email, x-forwarded-for, x-request-id, keep-alive',
      'Keep-Alive': 'timeout=5',
    },
  },
]

const OWNED =
  /^(x[-_.](user|auth)([-_.]|$)|x[-_.]forwarded[-_.](user|email|groups|preferred[-_.]username|access[-_.]token)$|x[-_.]remote[-_.]|remote[-_.](user|email|name|groups)$)/i

/** Identity-namespace header names exactly as they arrived on the wire. */
const ownedNames = (rawHeaders: string[]) =>
  rawHeaders.filter((_, i) => i % 2 === 0).filter((n) => OWNED.test(n))

t.test('plain requests: only the gateway speaks in the identity namespace', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app, { name: 'Real User' })
  const userId = (await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })).json()
    .user.id

  for (const row of rows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      await app.inject({ url: '/api/who', headers: row.headers })
      t.same(
        ownedNames(api.last().rawHeaders),
        [],
        `${row.name} [${row.source}]: anonymous → no identity headers`,
      )

      const res = await app.inject({ url: '/api/who', headers: { ...row.headers, cookie: user.cookie } })
      t.equal(res.statusCode, 200, `${row.name}: never a 5xx`)
      const got = api.last()
      t.same(
        ownedNames(got.rawHeaders),
        ['x-user-id', 'x-user-email', 'x-user-name', 'x-user-assertion'],
        `${row.name}: only the injected four`,
      )
      t.equal(got.headers['x-user-id'], userId, `${row.name}: the real id, not the forged one`)
      t.equal(
        decodeJwt(got.headers['x-user-assertion'] as string).sub,
        userId,
        `${row.name}: the gateway's own assertion, about the real user`,
      )
      t.ok(
        got.headers['x-forwarded-for'] && got.headers['x-request-id'],
        `${row.name}: gateway headers intact`,
      )
    })
  }
})

t.test('raw wire: duplicates and spellings inject() would normalise', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app)
  const port = await listen(app)
  const wireRows: { name: string; source: string; lines: string[] }[] = [
    {
      name: 'duplicated X-User-Id',
      source: 'RFC 9110 §5.3 (field lines combined)',
      lines: ['X-User-Id: admin', 'X-User-Id: root'],
    },
    {
      name: 'canonical and underscore forms together',
      source: 'oauth2-proxy GHSA-vjrc-mh2v-45x6 (fix test)',
      lines: ['X-Auth-Request-User: old', 'X-Auth_Request_User: evil'],
    },
    {
      name: 'upper-case underscore form',
      source: 'Caddy GHSA-f59h-q822-g45g',
      lines: ['REMOTE_USER: admin'],
    },
  ]
  for (const row of wireRows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      for (const cookie of ['', `Cookie: ${user.cookie}\r\n`]) {
        const before = api.received.length
        const res = await rawRequest(
          port,
          `GET /api/wire HTTP/1.1\r\nHost: x\r\n${cookie}${row.lines.join('\r\n')}\r\nConnection: close\r\n\r\n`,
        )
        t.equal(res.status, 200, `${row.name} [${row.source}]`)
        t.equal(api.received.length, before + 1)
        const expected = cookie ? ['x-user-id', 'x-user-email', 'x-user-name', 'x-user-assertion'] : []
        t.same(
          ownedNames(api.last().rawHeaders),
          expected,
          `${row.name}${cookie ? ' (signed in)' : ''}: no forged copy survives`,
        )
      }
    })
  }
})

t.test('hop-by-hop tricks are never a 500', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const hopRows: { name: string; source: string; headers: Record<string, string> }[] = [
    {
      name: 'client Keep-Alive',
      source: '@fastify/http-proxy known 500 on Keep-Alive',
      headers: { 'Keep-Alive': 'timeout=5, max=100' },
    },
    {
      name: 'client Proxy-Connection',
      source: 'RFC 9110 §7.6.1',
      headers: { 'Proxy-Connection': 'keep-alive' },
    },
    { name: 'client TE: trailers', source: 'RFC 9110 §10.1.4', headers: { TE: 'trailers' } },
    {
      name: 'Upgrade without Connection: upgrade',
      source: 'RFC 9110 §7.8',
      headers: { Upgrade: 'websocket' },
    },
  ]
  for (const row of hopRows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const res = await app.inject({ url: '/api/hop', headers: row.headers })
      t.equal(res.statusCode, 200, `${row.name} [${row.source}]`)
      for (const name of Object.keys(row.headers)) {
        t.notOk(api.last().headers[name.toLowerCase()], `${row.name}: ${name} not forwarded`)
      }
    })
  }
})

t.test('websocket upgrades: the same stripping and injection', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const userId = (await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })).json()
    .user.id
  const port = await listen(app)

  const handshake = (headers: Record<string, string>) =>
    new Promise<Record<string, string>>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/socket`, {
        headers: { origin: ORIGIN, ...headers },
      })
      ws.on('message', (data) => {
        ws.close()
        resolve(JSON.parse(data.toString()).headers)
      })
      ws.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)))
      ws.on('error', reject)
    })

  for (const row of rows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const anonymous = await handshake(row.headers)
      t.same(
        Object.keys(anonymous).filter((n) => OWNED.test(n)),
        [],
        `${row.name} [${row.source}]: anonymous upgrade`,
      )
      const signedIn = await handshake({ ...row.headers, cookie: user.cookie })
      t.same(
        Object.keys(signedIn)
          .filter((n) => OWNED.test(n))
          .sort(),
        ['x-user-assertion', 'x-user-email', 'x-user-id', 'x-user-name'],
        `${row.name}: signed-in upgrade carries only the injected four`,
      )
      t.equal(signedIn['x-user-id'], userId)
    })
  }
})
