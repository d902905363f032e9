// Better Auth served in-process at /api/auth/*: the round trips a browser
// makes, with origin checks on and a real database underneath.
import t from 'tap'
import { buildHarness, fileDatabase, nextIp, ORIGIN, sessionCookie, signIn, signUp } from '../helper.ts'

const db = await fileDatabase(t)

t.test('sign-up, get-session, sign-out round trip', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app, { email: 'Round.Trip@Example.com' })

  const session = await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })
  t.equal(session.statusCode, 200)
  t.equal(session.json().user.email, 'round.trip@example.com', 'email canonicalised to lower case')
  t.equal(session.headers['cache-control'], 'no-store', 'session JSON is never cached')

  const out = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-out',
    headers: { cookie: user.cookie, origin: ORIGIN },
  })
  t.equal(out.statusCode, 200)
  t.match(
    String(out.headers['set-cookie']),
    /better-auth\.session_token=;.*Max-Age=0/,
    'sign-out clears the cookie',
  )

  const after = await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })
  t.equal(after.json(), null, 'the old cookie no longer names a session')
  await app.inject({ url: '/api/whoami', headers: { cookie: user.cookie } })
  t.notOk(api.last().headers['x-user-id'], 'the very next proxied request carries no identity')
})

t.test('session cookie attributes', async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: { name: 'C', email: 'cookie@example.com', password: 'long enough password' },
  })
  const cookie = String(res.headers['set-cookie'])
  t.match(cookie, /HttpOnly/)
  t.match(cookie, /SameSite=Lax/)
  t.notMatch(cookie, /Secure/, 'no Secure on http PUBLIC_URL')
})

t.test('https PUBLIC_URL gives Secure, __Host- cookies', async (t) => {
  const { app } = await buildHarness(t, { db, env: { PUBLIC_URL: 'https://gateway.example' } })
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: 'https://gateway.example' },
    remoteAddress: nextIp(),
    payload: { name: 'S', email: 'secure@example.com', password: 'long enough password' },
  })
  t.equal(res.statusCode, 200)
  t.match(
    String(res.headers['set-cookie']),
    /^__Host-better-auth\.session_token=.*; Path=\/; HttpOnly; Secure/,
  )
})

t.test('sign-in issues a fresh session; wrong password is 401 and issues none', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const ok = await signIn(app, user)
  t.equal(ok.statusCode, 200)
  t.not(sessionCookie(ok), user.cookie, 'a new token on every sign-in')

  const bad = await signIn(app, { email: user.email, password: 'wrong password here' })
  t.equal(bad.statusCode, 401)
  t.notOk(bad.headers['set-cookie'], 'no cookie for a failed sign-in')
  const unknown = await signIn(app, { email: 'nobody@example.com', password: 'whatever password' })
  t.equal(unknown.statusCode, 401, 'unknown email answers exactly like a wrong password')
  t.same(unknown.json(), bad.json())
})

t.test('list-sessions, revoke-session and change-password', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app)
  const second = sessionCookie(await signIn(app, user))

  const list = await app.inject({ url: '/api/auth/list-sessions', headers: { cookie: user.cookie } })
  t.equal(list.statusCode, 200)
  const sessions = list.json() as { token: string }[]
  t.equal(sessions.length, 2, 'both sessions listed')

  const secondToken = decodeURIComponent(second.split('=')[1] as string).split('.')[0]
  const revoke = await app.inject({
    method: 'POST',
    url: '/api/auth/revoke-session',
    headers: { cookie: user.cookie, origin: ORIGIN },
    payload: { token: secondToken },
  })
  t.equal(revoke.statusCode, 200)
  await app.inject({ url: '/api/x', headers: { cookie: second } })
  t.notOk(api.last().headers['x-user-id'], 'a revoked session carries no identity on the very next request')

  const third = sessionCookie(await signIn(app, user))
  const change = await app.inject({
    method: 'POST',
    url: '/api/auth/change-password',
    headers: { cookie: user.cookie, origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: {
      currentPassword: user.password,
      newPassword: 'a brand new password',
      revokeOtherSessions: true,
    },
  })
  t.equal(change.statusCode, 200)
  await app.inject({ url: '/api/x', headers: { cookie: third } })
  t.notOk(api.last().headers['x-user-id'], 'other sessions are revoked by a password change')

  t.equal((await signIn(app, user)).statusCode, 401, 'old password no longer works')
  t.equal((await signIn(app, { ...user, password: 'a brand new password' })).statusCode, 200)
})

t.test('bad input is a clear 4xx and writes nothing', async (t) => {
  const { app } = await buildHarness(t, { db })
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
      remoteAddress: nextIp(),
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    })

  const rows: [string, unknown, number][] = [
    ['malformed JSON', '{"email":', 400],
    ['wrong types', { name: 1, email: ['a'], password: {} }, 400],
    ['password too short', { name: 'n', email: 'short@example.com', password: 'seven77' }, 400],
    ['password too long', { name: 'n', email: 'long@example.com', password: 'x'.repeat(129) }, 400],
    ['not an email', { name: 'n', email: 'not-an-email', password: 'long enough password' }, 400],
    [
      'oversize body',
      { name: 'n'.repeat(70 * 1024), email: 'big@example.com', password: 'long enough password' },
      413,
    ],
  ]
  for (const [name, payload, status] of rows) {
    const res = await post(payload)
    t.equal(res.statusCode, status, name)
    t.type(res.json().message, 'string', `${name}: the body says what is wrong`)
  }
  const form = await post('name=n', { 'content-type': 'application/x-www-form-urlencoded' })
  t.equal(form.statusCode, 415, 'unsupported media type')

  for (const email of ['short@example.com', 'long@example.com', 'big@example.com']) {
    const res = await signIn(app, { email, password: 'long enough password' })
    t.equal(res.statusCode, 401, `${email} was never created`)
  }

  const existing = await signUp(app)
  const duplicate = await post({ name: 'again', email: existing.email, password: 'another long password' })
  t.equal(duplicate.statusCode, 422, 'duplicate email refused')
  t.equal((await signIn(app, existing)).statusCode, 200, 'the original account is untouched')
})

t.test('origin checks are on: a cross-site request is refused', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-out',
    headers: { cookie: user.cookie, origin: 'https://evil.example' },
  })
  t.equal(res.statusCode, 403)
  const still = await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })
  t.equal(still.json().user.email, user.email, 'the session survived the cross-site sign-out')
})

t.test('rate limiting keys on the real client IP and answers Retry-After', async (t) => {
  const { app } = await buildHarness(t, { db })
  const attempt = (ip: string, forwarded?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: ORIGIN, ...(forwarded ? { 'x-forwarded-for': forwarded } : {}) },
      remoteAddress: ip,
      payload: { email: 'nobody@example.com', password: 'wrong password' },
    })
  const ip = nextIp()
  // Rotating X-Forwarded-For must not buy a fresh bucket when TRUST_PROXY is off.
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await attempt(ip, `203.0.113.${i}`)).statusCode)
  t.same(statuses, [401, 401, 401, 429], 'fourth attempt in 10 s throttled despite a spoofed X-Forwarded-For')
  const throttled = await attempt(ip)
  t.equal(throttled.statusCode, 429)
  t.match(throttled.headers['retry-after'], /^\d+$/, 'standard Retry-After header')
  t.equal((await attempt(nextIp())).statusCode, 401, 'another client is not affected')
})

t.test('TRUST_PROXY=true makes X-Forwarded-For the client address', async (t) => {
  const { app } = await buildHarness(t, { db, env: { TRUST_PROXY: 'true' } })
  const attempt = (forwarded: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: ORIGIN, 'x-forwarded-for': forwarded },
      remoteAddress: '127.0.0.1',
      payload: { email: 'nobody@example.com', password: 'wrong password' },
    })
  for (let i = 0; i < 3; i++) await attempt('198.51.100.7')
  t.equal((await attempt('198.51.100.7')).statusCode, 429, 'the forwarded client is throttled')
  t.equal((await attempt('198.51.100.8')).statusCode, 401, 'a different forwarded client is not')
})

t.test('the auth namespace is never proxied', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  for (const [method, url] of [
    ['GET', '/api/auth'],
    ['PUT', '/api/auth/sign-in/email'],
    ['DELETE', '/api/auth/session'],
    ['GET', '/api/auth/no-such-endpoint'],
  ] as const) {
    const res = await app.inject({ method, url, headers: { origin: ORIGIN } })
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${method} ${url} → ${res.statusCode}`)
  }
  t.equal(api.received.length, 0, 'the upstream never saw an auth request')
})
