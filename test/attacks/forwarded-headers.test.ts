// Class 4: forwarded headers from a peer that TRUST_PROXY does not trust
// influence nothing: not the client IP (rate limits), not what the upstream
// is told, not redirects, not policy.
import t from 'tap'
import { buildHarness, fileDatabase, nextIp, ORIGIN } from '../helper.ts'

const db = await fileDatabase(t)

interface Row {
  name: string
  source: string
  /** Builds a spoofed header set; `i` varies the value per attempt. */
  spoof: (i: number) => Record<string, string>
}

const rows: Row[] = [
  {
    name: 'X-Forwarded-For',
    source: 'Better Auth default ipAddressHeaders',
    spoof: (i) => ({ 'X-Forwarded-For': `203.0.113.${i}` }),
  },
  {
    name: 'X_Forwarded-For (underscore)',
    source: 'oauth2-proxy GHSA-vjrc-mh2v-45x6',
    spoof: (i) => ({ 'X_Forwarded-For': `203.0.113.${i}` }),
  },
  {
    name: 'Forwarded: for=',
    source: 'RFC 7239',
    spoof: (i) => ({ Forwarded: `for=203.0.113.${i};proto=https;host=evil.example` }),
  },
  { name: 'X-Real-IP', source: 'nginx convention', spoof: (i) => ({ 'X-Real-IP': `203.0.113.${i}` }) },
  {
    name: 'True-Client-IP',
    source: 'Akamai/Cloudflare convention',
    spoof: (i) => ({ 'True-Client-IP': `203.0.113.${i}` }),
  },
  {
    name: 'CF-Connecting-IP',
    source: 'Cloudflare convention',
    spoof: (i) => ({ 'CF-Connecting-IP': `203.0.113.${i}` }),
  },
  { name: 'X-Client-IP', source: 'common convention', spoof: (i) => ({ 'X-Client-IP': `203.0.113.${i}` }) },
  {
    name: 'X-Gateway-Client-IP (our own internal header)',
    source: 'src/auth/better-auth.ts CLIENT_IP_HEADER',
    spoof: (i) => ({ 'X-Gateway-Client-IP': `203.0.113.${i}` }),
  },
]

t.test('rate-limit keys: rotating a spoofed address buys no fresh bucket', async (t) => {
  const { app } = await buildHarness(t, { db })
  for (const row of rows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const ip = nextIp()
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/sign-in/email',
          headers: { origin: ORIGIN, ...row.spoof(i) },
          remoteAddress: ip,
          // A fresh email per attempt: the per-account limit must not be what throttles here.
          payload: { email: `nobody-${ip}-${i}@example.com`, password: 'wrong password' },
        })
        statuses.push(res.statusCode)
      }
      t.same(
        statuses,
        [401, 401, 401, 429],
        `${row.name} [${row.source}]: 4th attempt from one peer throttled`,
      )
    })
  }
})

t.test('the upstream hears only the gateway about where a request came from', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const all = Object.assign({}, ...rows.map((r) => r.spoof(9)), {
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': 'evil.example',
    'X-Forwarded-Port': '8443',
    'X-Forwarded-Prefix': '/admin',
    'X-Forwarded-Uri': '/api/private',
    'X-Original-URL': '/api/private',
    'X-Rewrite-URL': '/api/private',
    host: 'evil.example',
  })
  await app.inject({ url: '/api/where', headers: all, remoteAddress: '192.0.2.44' })
  const got = api.last().headers
  t.equal(got['x-forwarded-for'], '192.0.2.44', 'X-Forwarded-For is the peer only')
  t.equal(got['x-forwarded-proto'], 'http', 'proto from PUBLIC_URL (CVE-2026-3635 class)')
  t.equal(got['x-forwarded-host'], 'localhost:3001', 'host from PUBLIC_URL (CVE-2026-3635 class)')
  for (const name of [
    'forwarded',
    'x-real-ip',
    'true-client-ip',
    'cf-connecting-ip',
    'x-client-ip',
    'x-gateway-client-ip',
    'x-forwarded-port',
    'x-forwarded-prefix',
    'x-forwarded-uri',
    'x-original-url',
    'x-rewrite-url',
    'x_forwarded-for',
  ]) {
    t.notOk(got[name], `${name} is not forwarded`)
  }
})

t.test('URL-override headers never steer policy', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { AUTH_REQUIRED_PATHS: '/api/private' } })
  const overrides: [string, string][] = [
    ['X-Original-URL', 'Symfony/IIS URL override'],
    ['X-Rewrite-URL', 'Symfony/IIS URL override'],
    ['X-Forwarded-Uri', 'oauth2-proxy GHSA-7x63-xv5r-3p2x'],
    ['X-Forwarded-Prefix', 'Spring/Traefik prefix'],
  ]
  for (const [header, source] of overrides) {
    await t.test(`${header} [${source}]`, async (t) => {
      const protectedRes = await app.inject({
        url: '/api/private/data',
        headers: { [header]: '/api/public' },
      })
      t.equal(protectedRes.statusCode, 401, `${header} [${source}]: a protected path stays protected`)
      const publicRes = await app.inject({ url: '/api/public', headers: { [header]: '/api/private/data' } })
      t.equal(publicRes.statusCode, 200, `${header}: a public path stays public`)
      t.notOk(api.last().headers[header.toLowerCase()], `${header}: not passed on to confuse the backend`)
    })
  }
})

t.test('redirects are built from the request path, never from forwarded host or proto', async (t) => {
  const { app } = await buildHarness(t, { db, env: { AUTH_REQUIRED_PATHS: '/docs/internal' } })
  const res = await app.inject({
    url: '/docs/internal/page',
    headers: {
      accept: 'text/html',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.example;proto=https',
      host: 'evil.example',
    },
  })
  t.equal(res.statusCode, 303)
  t.equal(
    res.headers.location,
    '/auth/sign-in?returnTo=%2Fdocs%2Finternal%2Fpage',
    'a relative, same-origin Location',
  )
})

t.test('a trusted proxy is believed; an untrusted peer is not, even with TRUST_PROXY set', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { TRUST_PROXY: '127.0.0.1' } })
  await app.inject({
    url: '/api/x',
    remoteAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': '198.51.100.7' },
  })
  t.equal(api.last().headers['x-forwarded-for'], '198.51.100.7, 127.0.0.1', 'trusted peer: chain extended')
  await app.inject({
    url: '/api/x',
    remoteAddress: '192.0.2.9',
    headers: { 'x-forwarded-for': '198.51.100.7' },
  })
  t.equal(api.last().headers['x-forwarded-for'], '192.0.2.9', 'untrusted peer: chain discarded')

  // Rate limits follow the same rule: an untrusted peer rotating XFF shares one bucket.
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: ORIGIN, 'x-forwarded-for': `203.0.113.${i}` },
      remoteAddress: '192.0.2.10',
      payload: { email: `untrusted-${i}@example.com`, password: 'wrong password' },
    })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [401, 401, 401, 429], 'untrusted peer: spoofed XFF ignored by the rate limiter')
})
