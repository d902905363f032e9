// Sign-out through the form: Better Auth ends the session, the gateway clears
// what else of its cookie family the browser holds, and a refused sign-out
// leaves everything as it was.
import t from 'tap'
import { postForm } from '../../fixtures/page-forms.ts'
import { buildHarness, fileDatabase, nextIp, ORIGIN, signUp } from '../../helper.ts'

const db = await fileDatabase(t)
const FORM = 'application/x-www-form-urlencoded'

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

t.test('sign-out goes to the sign-in page, with a same-origin returnTo only', async (t) => {
  const { app } = await buildHarness(t, { db })
  const rows = [
    { returnTo: undefined, location: '/auth/sign-in' },
    { returnTo: '/auth/account', location: '/auth/sign-in?returnTo=%2Fauth%2Faccount' },
    { returnTo: '//evil.example/', location: '/auth/sign-in' },
    { returnTo: 'https://evil.example/', location: '/auth/sign-in' },
  ]
  for (const row of rows) {
    const user = await signUp(app)
    const fields: Record<string, string> = row.returnTo === undefined ? {} : { returnTo: row.returnTo }
    const res = await postForm(app, '/auth/sign-out', fields, { cookie: user.cookie })
    t.equal(res.statusCode, 303)
    t.equal(res.headers.location, row.location, `returnTo ${String(row.returnTo)} → ${row.location}`)
  }
})
