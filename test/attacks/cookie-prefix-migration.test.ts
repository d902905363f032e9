// The move from __Secure- to __Host- session cookies on https. Outside the
// window an operator opens (LEGACY_SESSION_COOKIES_UNTIL) a __Secure- cookie,
// which a sibling subdomain can plant for the parent domain, is never read;
// inside it, one from before the move keeps its session and is moved over,
// but never beats a __Host- cookie and is never chosen between two copies.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { createTestDatabase } from '../fixtures/test-database.ts'
import { buildHarness, fileDatabase, nextIp, sessionCookie } from '../helper.ts'

const TOSSING =
  'cookie tossing: Squarcina et al., "Cookie Crumbles" (USENIX Security 2023); RFC 6265bis §4.1.3.2 (__Host- prefix)'
const HTTPS = 'https://gateway.example.com'
const HOST = '__Host-better-auth.session_token'
const LEGACY = '__Secure-better-auth.session_token'

const db = await fileDatabase(t)

function setCookies(res: LightMyRequestResponse): string[] {
  const value = res.headers['set-cookie']
  return Array.isArray(value) ? value : value === undefined ? [] : [value]
}

async function signUp(app: FastifyInstance, name: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: HTTPS },
    remoteAddress: nextIp(),
    payload: {
      name,
      email: `${name.toLowerCase()}-${Date.now()}@example.com`,
      password: 'long enough password',
    },
  })
  const cookie = sessionCookie(res)
  return {
    cookie,
    legacy: cookie.replace(/^__Host-/, '__Secure-'),
    id: (res.json() as { user: { id: string } }).user.id,
  }
}

const inADay = () => new Date(Date.now() + 86_400_000).toISOString()

t.test(`inside the window: a legacy session keeps working and is moved over [${TOSSING}]`, async (t) => {
  const h = await buildHarness(t, { db, env: { PUBLIC_URL: HTTPS, LEGACY_SESSION_COOKIES_UNTIL: inADay() } })
  const { app, api } = h
  const user = await signUp(app, 'Mover')
  const value = user.cookie.slice(HOST.length + 1)

  const proxied = await app.inject({ url: '/api/x', headers: { cookie: `theme=dark; ${user.legacy}` } })
  t.equal(api.last().headers['x-user-id'], user.id, 'proxied: the legacy cookie’s identity is injected')
  t.equal(api.last().headers.cookie, 'theme=dark', 'and neither name reaches the upstream')
  const moved = setCookies(proxied)
  t.ok(
    moved.some(
      (c) => c.startsWith(`${HOST}=${value}; Max-Age=`) && /; Secure/.test(c) && /; Path=\//.test(c),
    ),
    'the browser gets the same session under the __Host- name',
  )
  t.ok(
    moved.some((c) => c.startsWith(`${LEGACY}=; Max-Age=0`)),
    'and the legacy cookie is cleared',
  )

  const verify = await app.inject({ url: '/verify', headers: { cookie: user.legacy } })
  t.equal(verify.statusCode, 200, '/verify: 200')
  t.equal(verify.headers['x-user-id'], user.id)

  const session = await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.legacy } })
  t.equal(session.statusCode, 200)
  t.equal(session.json()?.user?.id, user.id, 'Better Auth reads it too (get-session)')
  t.ok(
    setCookies(session).some((c) => c.startsWith(`${LEGACY}=; Max-Age=0`)),
    'and its answer clears the legacy name',
  )

  const page = await app.inject({ url: '/auth/account', headers: { cookie: user.legacy } })
  t.equal(page.statusCode, 200, 'the account page knows the user')
  t.match(page.body, /<span class="badge">This device<\/span>/, 'and marks its session as this device')

  t.test('a legacy cookie holding nothing: anonymous, cleared, no twin', async (t) => {
    const res = await app.inject({ url: '/api/x', headers: { cookie: `${LEGACY}=forged.value` } })
    t.notOk(api.last().headers['x-user-id'])
    t.same(
      setCookies(res).map((c) => c.split(';')[0]),
      [`${LEGACY}=`],
      'only the clearing line',
    )
    const asked = await app.inject({
      url: '/api/auth/get-session',
      headers: { cookie: `${LEGACY}=forged.value` },
    })
    t.equal(asked.body, 'null', 'get-session: no session')
    t.notOk(
      setCookies(asked).some((c) => c.startsWith(`${HOST}=forged`)),
      'and the auth endpoints never turn an unsigned value into a __Host- cookie',
    )
  })

  t.test('sign-out leaves nothing of the family behind, planted names included', async (t) => {
    const fresh = await signUp(app, 'Leaver')
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { origin: HTTPS, cookie: `${fresh.cookie}; __Secure-better-auth.foo=bar; ${LEGACY}=x.y` },
    })
    t.equal(res.statusCode, 200)
    const lines = setCookies(res)
    t.ok(
      lines.length > 0 && lines.every((c) => (c.split(';')[0] as string).endsWith('=')),
      `every line expires a cookie: ${lines.map((c) => c.split(';')[0]).join(', ')}`,
    )
    t.notOk(
      lines.some((c) => c.startsWith('__Host-better-auth.foo')),
      'no __Host- cookie is created from a planted name',
    )
  })

  t.test('an attacker’s legacy cookie never beats the victim’s __Host- cookie', async (t) => {
    const attacker = await signUp(app, 'Attacker')
    const cookie = `${attacker.legacy}; ${user.cookie}`
    const res = await app.inject({ url: '/api/x', headers: { cookie } })
    t.equal(
      api.last().headers['x-user-id'],
      user.id,
      'proxied: the victim, as a __Host- cookie comes only from this host',
    )
    t.same(setCookies(res), [], 'nothing to move on the hot path')
    const asked = await app.inject({ url: '/api/auth/get-session', headers: { cookie } })
    t.equal(asked.json()?.user?.id, user.id, 'get-session: the victim')
    t.ok(
      setCookies(asked).some((c) => c.startsWith(`${LEGACY}=; Max-Age=0`)),
      'and the planted copy is cleared',
    )
  })

  t.test('two legacy copies are never resolved to either', async (t) => {
    const attacker = await signUp(app, 'Tosser')
    const cookie = `${attacker.legacy}; ${user.legacy}`
    await app.inject({ url: '/api/x', headers: { cookie } })
    t.notOk(api.last().headers['x-user-id'], 'proxied: anonymous')
    t.equal((await app.inject({ url: '/verify', headers: { cookie } })).statusCode, 401, '/verify: 401')
    const refused = await app.inject({ url: '/api/auth/get-session', headers: { cookie } })
    t.equal(refused.statusCode, 400, 'the auth endpoints: 400')
    t.match(refused.json(), { code: 'DUPLICATE_SESSION_COOKIE' })
    const cleared = setCookies(refused)
    t.ok(
      cleared.some((c) => c.startsWith(`${LEGACY}=; Max-Age=0; Path=/; Domain=example.com`)),
      'the legacy copies are cleared on the parent domain, where a sibling plants them',
    )
    t.ok(
      cleared.some((c) => c === `${HOST}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure`),
      'and the __Host- name host-only at /, the only place it can live',
    )
    t.notOk(
      cleared.some((c) => c.startsWith(`${HOST}=`) && /Domain=/.test(c)),
      'never a __Host- line with Domain',
    )
  })
})

t.test('the database unreachable: a legacy cookie fails closed', async (t) => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const h = await buildHarness(t, {
    db: own,
    env: { PUBLIC_URL: HTTPS, LEGACY_SESSION_COOKIES_UNTIL: inADay() },
  })
  const user = await signUp(h.app, 'Outage')
  own.cut()
  const before = h.api.received.length
  const res = await h.app.inject({ url: '/api/x', headers: { cookie: user.legacy } })
  t.equal(res.statusCode, 503, '503')
  t.equal(h.api.received.length, before, 'never forwarded')
})

t.test(`outside the window: a legacy cookie is ignored, cleared and logged once [${TOSSING}]`, async (t) => {
  const h = await buildHarness(t, { db, env: { PUBLIC_URL: HTTPS } })
  const { app, api } = h
  const user = await signUp(app, 'Closed')
  const warnings: unknown[] = []
  const warn = app.log.warn.bind(app.log)
  app.log.warn = ((...args: unknown[]) => {
    warnings.push(args)
    return (warn as (...a: unknown[]) => void)(...args)
  }) as typeof app.log.warn

  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ url: '/api/x', headers: { cookie: user.legacy } })
    t.notOk(api.last().headers['x-user-id'], `request ${i + 1}: anonymous`)
    t.same(
      setCookies(res).map((c) => c.split(';')[0]),
      [`${LEGACY}=`],
      `request ${i + 1}: the legacy cookie is cleared`,
    )
  }
  const session = await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.legacy } })
  t.equal(session.body, 'null', 'get-session: no session')
  t.equal(warnings.length, 1, 'one warning for the process, however many requests')
  t.match(
    String((warnings[0] as unknown[])[0]),
    /LEGACY_SESSION_COOKIES_UNTIL/,
    'naming the setting that opens the window',
  )
  await app.inject({ url: '/api/x', headers: { cookie: user.cookie } })
  t.equal(api.last().headers['x-user-id'], user.id, 'the __Host- cookie works as ever')
})
