// A response only a signed-in user may see must not outlive the session in
// any cache: the browser's (private docs read after sign-out, from the
// cache or the back button) or a shared one in front (a CDN keeping a
// page with a session cookie in it). Whatever the upstream says about
// caching, the gateway answers `Cache-Control: private, no-store` for
// AUTH_REQUIRED_PATHS and for any response carrying its Set-Cookie.
import t from 'tap'
import { buildHarness, fileDatabase, nextIp, ORIGIN, sessionCookie, signUp } from '../helper.ts'

const SOURCE =
  'OWASP ASVS 4.0.3 V8.2.1 (anti-caching headers for sensitive data); RFC 9111 §5.2.2.5 (no-store); review of issue 17 (private docs shown from cache after sign-out)'
const FORM = 'application/x-www-form-urlencoded'

const db = await fileDatabase(t)

t.test(`protected answers and answers with the gateway's cookies are never stored [${SOURCE}]`, async (t) => {
  const { app } = await buildHarness(t, { db, env: { AUTH_REQUIRED_PATHS: '/docs/private' } })
  const user = await signUp(app)

  const rows = [
    {
      name: 'a protected page, signed in',
      url: '/docs/private/__cacheable',
      cookie: user.cookie,
      private: true,
    },
    {
      name: 'a public asset, signed in',
      url: '/docs/assets/__cacheable',
      cookie: user.cookie,
      private: false,
    },
    { name: 'a public asset, anonymous', url: '/docs/assets/__cacheable', cookie: undefined, private: false },
  ]
  for (const row of rows) {
    const res = await app.inject({ url: row.url, headers: row.cookie ? { cookie: row.cookie } : {} })
    t.equal(res.statusCode, 200, `${row.name}: 200`)
    if (row.private) {
      t.equal(
        res.headers['cache-control'],
        'private, no-store',
        `${row.name}: no-store, whatever the upstream said`,
      )
      t.notOk(res.headers.expires, `${row.name}: the upstream's Expires is gone`)
    } else {
      t.equal(
        res.headers['cache-control'],
        'public, max-age=31536000, immutable',
        `${row.name}: the upstream's own caching, unchanged`,
      )
    }
  }
})

t.test(
  `https, inside the migration window: the moved session cookie never rides a cacheable answer [${SOURCE}]`,
  async (t) => {
    const https = 'https://gateway.example.com'
    const until = new Date(Date.now() + 86_400_000).toISOString()
    const { app } = await buildHarness(t, {
      db,
      env: { PUBLIC_URL: https, LEGACY_SESSION_COOKIES_UNTIL: until },
    })
    const up = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: https },
      remoteAddress: nextIp(),
      payload: { name: 'C', email: `cache-${Date.now()}@example.com`, password: 'long enough password' },
    })
    const legacy = sessionCookie(up).replace(/^__Host-/, '__Secure-')
    const res = await app.inject({ url: '/docs/assets/__cacheable', headers: { cookie: legacy } })
    t.match(
      String(res.headers['set-cookie']),
      /__Host-better-auth\.session_token=/,
      'the session is moved over',
    )
    t.equal(res.headers['cache-control'], 'private, no-store', 'on an answer no cache may keep')
  },
)

t.test(`sign-out empties the browser's cache for the origin [${SOURCE}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const out = await app.inject({
    method: 'POST',
    url: '/auth/sign-out',
    headers: { origin: ORIGIN, cookie: user.cookie, 'content-type': FORM },
    payload: '',
  })
  t.equal(out.statusCode, 303)
  t.equal(out.headers['clear-site-data'], '"cache"')
})
