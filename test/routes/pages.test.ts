// The gateway's own pages, driven as a browser without JavaScript would:
// GET the form, POST it url-encoded with an Origin, follow the redirect.
import t from 'tap'
import { buildHarness, fileDatabase, nextIp, ORIGIN, sessionCookie, signUp } from '../helper.ts'

const db = await fileDatabase(t)
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const FORM = 'application/x-www-form-urlencoded'

t.test('sign-in page: strict headers, returnTo sanitised and escaped', async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({ url: "/auth/sign-in?returnTo=%2Fdocs%2Fit's%3Fa%3D1%26b%3D2" })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-security-policy'], /default-src 'none'/)
  t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.body, /name="returnTo" value="\/docs\/it&#39;s\?a=1&amp;b=2"/, 'value escaped into the form')
  t.notMatch(res.body, /<script/i, 'no script on the page')

  const evil = await app.inject({ url: '/auth/sign-in?returnTo=%2F%2Fevil.example%2Fphish' })
  t.match(evil.body, /name="returnTo" value="\/"/, 'an off-origin returnTo falls back to /')

  const signUpPage = await app.inject({ url: '/auth/sign-up?returnTo=%2Fdocs%2Fa' })
  t.equal(signUpPage.statusCode, 200)
  t.match(signUpPage.body, /action="\/auth\/sign-up"/)
  t.match(
    signUpPage.body,
    /href="\/auth\/sign-in\?returnTo=%2Fdocs%2Fa"/,
    'returnTo carried to the other form',
  )

  const css = await app.inject({ url: '/auth/assets/gateway.css' })
  t.equal(css.statusCode, 200)
  t.match(css.headers['content-type'], /text\/css/)
})

t.test('sign-up then sign-in through the forms', async (t) => {
  const { app, docs } = await buildHarness(t, { db })
  const up = await app.inject({
    method: 'POST',
    url: '/auth/sign-up',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: form({
      name: 'Form User',
      email: 'form@example.com',
      password: 'long enough password',
      returnTo: '/docs/start',
    }),
  })
  t.equal(up.statusCode, 303)
  t.equal(up.headers.location, '/docs/start')
  const cookie = sessionCookie(up)
  await app.inject({ url: '/docs/start', headers: { cookie } })
  t.equal(docs.last().headers['x-user-email'], 'form@example.com', 'the new session works through the proxy')

  const wrong = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: form({ email: 'form@example.com', password: 'not the password', returnTo: '/docs/start' }),
  })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.body, /class="error"/, 'the error is shown on the form')
  t.match(wrong.body, /value="form@example.com"/, 'the email is kept')
  t.notOk(wrong.headers['set-cookie'])

  const right = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: form({
      email: 'form@example.com',
      password: 'long enough password',
      returnTo: 'https://evil.example/',
    }),
  })
  t.equal(right.statusCode, 303)
  t.equal(right.headers.location, '/', 'an off-origin returnTo is replaced by /')

  const dotted = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: form({
      email: 'form@example.com',
      password: 'long enough password',
      returnTo: '/.//evil.example',
    }),
  })
  t.equal(dotted.headers.location, '/', 'dot segments cannot produce a protocol-relative redirect')
  t.ok(sessionCookie(right))
})

t.test('cross-origin and origin-less form posts are refused (login CSRF)', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const payload = form({ email: user.email, password: user.password })
  for (const [name, headers] of [
    ['foreign Origin', { origin: 'https://evil.example' }],
    ['no Origin, same-origin fetch metadata', { 'sec-fetch-site': 'same-origin' }],
    ['no Origin at all', {}],
    ['Origin "null" (sandboxed frame)', { origin: 'null' }],
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      headers: { ...headers, 'content-type': FORM },
      remoteAddress: nextIp(),
      payload,
    })
    t.equal(res.statusCode, 403, name)
    t.notOk(res.headers['set-cookie'], `${name}: no session issued`)
    t.match(res.headers['content-type'], /text\/html/)
  }
})

t.test('account page: needs a session, escapes what it shows, changes password, signs out', async (t) => {
  const { app } = await buildHarness(t, { db })
  const anonymous = await app.inject({ url: '/auth/account' })
  t.equal(anonymous.statusCode, 303)
  t.equal(anonymous.headers.location, '/auth/sign-in?returnTo=%2Fauth%2Faccount')

  const user = await signUp(app, { name: '<script>alert(1)</script>' })
  const page = await app.inject({ url: '/auth/account', headers: { cookie: user.cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.notMatch(page.body, /<script>alert/)

  const changed = await app.inject({
    method: 'POST',
    url: '/auth/account/password',
    headers: { cookie: user.cookie, origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: form({ currentPassword: user.password, newPassword: 'another long password' }),
  })
  t.equal(changed.statusCode, 200)
  t.match(changed.body, /Password changed/)
  const newCookie = sessionCookie(changed)

  const out = await app.inject({
    method: 'POST',
    url: '/auth/sign-out',
    headers: { cookie: newCookie, origin: ORIGIN, 'content-type': FORM },
    payload: '',
  })
  t.equal(out.statusCode, 303)
  t.equal(out.headers.location, '/auth/sign-in')
  t.match(String(out.headers['set-cookie']), /Max-Age=0/)
  const after = await app.inject({ url: '/auth/account', headers: { cookie: newCookie } })
  t.equal(after.statusCode, 303, 'signed out for real')
})

t.test('sign-out clears every gateway cookie the browser holds, each once, and no other', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const stale = '__Secure-better-auth.session_token=old.sig; better-auth.two_factor=z; theme=dark'
  const out = await app.inject({
    method: 'POST',
    url: '/auth/sign-out',
    headers: { cookie: `${user.cookie}; ${stale}`, origin: ORIGIN, 'content-type': FORM },
    payload: '',
  })
  t.equal(out.statusCode, 303)
  const setCookies = ([] as string[]).concat(out.headers['set-cookie'] ?? [])
  const names = setCookies.map((c) => c.slice(0, c.indexOf('=')))
  for (const name of [
    'better-auth.session_token',
    '__Secure-better-auth.session_token',
    'better-auth.two_factor',
  ]) {
    t.equal(names.filter((n) => n === name).length, 1, `${name} cleared once`)
  }
  t.notOk(names.includes('theme'), "a cookie that is not the gateway's is left alone")
  for (const c of setCookies)
    t.match(c, /Max-Age=0|Expires=Thu, 01 Jan 1970/, `${c.split('=')[0]} expires now`)
  const secure = setCookies.find((c) => c.startsWith('__Secure-'))
  t.match(secure, /; Secure/, 'a prefixed cookie is cleared with Secure, or browsers ignore it')
  const after = await app.inject({ url: '/auth/account', headers: { cookie: user.cookie } })
  t.equal(after.statusCode, 303, 'the session itself is gone')
})

t.test('a sign-out Better Auth refuses clears nothing: the session stays and looks it', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const ip = nextIp()
  // Better Auth's general limit (100 a minute per address), spent on sign-outs without a session.
  let limited = false
  for (let i = 0; i < 150 && !limited; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      remoteAddress: ip,
      payload: '{}',
    })
    limited = res.statusCode === 429
  }
  t.ok(limited, 'the address is rate-limited')
  const out = await app.inject({
    method: 'POST',
    url: '/auth/sign-out',
    headers: { cookie: `${user.cookie}; better-auth.two_factor=z`, origin: ORIGIN, 'content-type': FORM },
    remoteAddress: ip,
    payload: '',
  })
  t.equal(out.headers['set-cookie'], undefined, 'no cookie cleared')
  const after = await app.inject({ url: '/auth/account', headers: { cookie: user.cookie } })
  t.equal(after.statusCode, 200, 'still signed in')
})

t.test('the root sends browsers to the docs', async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({ url: '/' })
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, '/docs/')
})
