// Sign-in and sign-up pages, driven as a browser without JavaScript would:
// GET the form, POST it url-encoded with an Origin, follow the redirect.
import t from 'tap'
import { postForm, sessionRowOf, setCookieFor } from '../../fixtures/page-forms.ts'
import { createTestDatabase } from '../../fixtures/test-database.ts'
import { buildHarness, fileDatabase, nextIp, sessionCookie, signUp } from '../../helper.ts'

const db = await fileDatabase(t)

t.test('sign-in page: strict headers, returnTo sanitised and escaped', async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({ url: "/auth/sign-in?returnTo=%2Fdocs%2Fit's%3Fa%3D1%26b%3D2" })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-security-policy'], /default-src 'none'/)
  t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.body, /name="returnTo" value="\/docs\/it&#39;s\?a=1&amp;b=2"/, 'value escaped into the form')
  t.notMatch(res.body, /<script/i, 'no script on the page')
  t.notMatch(res.body, /\sstyle=/i, 'no inline style either: the CSP allows none')

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

t.test('APP_NAME: in every page title and as the brand, escaped', async (t) => {
  const plain = await buildHarness(t, { db })
  const fallback = await plain.app.inject({ url: '/auth/sign-in' })
  t.match(fallback.body, '<title>Sign in · Auth Gateway</title>', 'a neutral default')

  const name = `Zoë's <Docs> & "Co"`
  const escaped = 'Zoë&#39;s &lt;Docs&gt; &amp; &quot;Co&quot;'
  const { app } = await buildHarness(t, { db, env: { APP_NAME: name } })
  const user = await signUp(app)
  const pages = [
    { url: '/auth/sign-in', title: 'Sign in' },
    { url: '/auth/sign-up', title: 'Create account' },
    { url: '/auth/account', title: 'Your account', cookie: user.cookie },
  ]
  for (const page of pages) {
    const res = await app.inject({ url: page.url, headers: page.cookie ? { cookie: page.cookie } : {} })
    t.equal(res.statusCode, 200, page.url)
    t.match(res.body, `<title>${page.title} · ${escaped}</title>`, `${page.url}: "<page> · <APP_NAME>"`)
    t.match(res.body, `<a class="brand" href="/">${escaped}</a>`, `${page.url}: the brand heads the page`)
    t.notMatch(res.body, '<Docs>', `${page.url}: never raw`)
  }
  const refused = await postForm(app, '/auth/sign-in', { email: user.email, password: 'wrong password!' })
  t.match(refused.body, `<title>Sign in · ${escaped}</title>`, 'a re-rendered form too')
})

t.test('sign-up then sign-in through the forms', async (t) => {
  const { app, docs } = await buildHarness(t, { db })
  const up = await postForm(app, '/auth/sign-up', {
    name: 'Form User',
    email: 'form@example.com',
    password: 'long enough password',
    returnTo: '/docs/start',
  })
  t.equal(up.statusCode, 303)
  t.equal(up.headers.location, '/docs/start')
  const cookie = sessionCookie(up)
  await app.inject({ url: '/docs/start', headers: { cookie } })
  t.equal(docs.last().headers['x-user-email'], 'form@example.com', 'the new session works through the proxy')

  const wrong = await postForm(app, '/auth/sign-in', {
    email: 'form@example.com',
    password: 'not the password',
    returnTo: '/docs/start',
    rememberMe: 'on',
  })
  t.equal(wrong.statusCode, 401, "Better Auth's status is kept")
  t.match(wrong.body, /<div class="alert error" role="alert" id="sign-in-error">/, 'announced')
  t.match(wrong.body, 'The email or password is incorrect.', 'in plain words')
  t.match(wrong.body, /<input id="email"[^>]*aria-describedby="sign-in-error"/, 'tied to the email input')
  t.match(wrong.body, /<input id="password"[^>]*aria-describedby="sign-in-error"/, 'and to the password')
  t.match(wrong.body, /value="form@example.com"/, 'the email is kept')
  t.match(wrong.body, /id="remember-me"[^>]*checked/, 'and the remember-me choice')
  t.notMatch(wrong.body, 'not the password', 'the password is not')
  t.notOk(wrong.headers['set-cookie'])

  const right = await postForm(app, '/auth/sign-in', {
    email: 'form@example.com',
    password: 'long enough password',
    returnTo: 'https://evil.example/',
  })
  t.equal(right.statusCode, 303)
  t.equal(right.headers.location, '/', 'an off-origin returnTo is replaced by /')
  t.ok(sessionCookie(right))

  const dotted = await postForm(app, '/auth/sign-in', {
    email: 'form@example.com',
    password: 'long enough password',
    returnTo: '/.//evil.example',
  })
  t.equal(dotted.headers.location, '/', 'dot segments cannot produce a protocol-relative redirect')
})

t.test('remember me: unticked by default; a browser-session cookie unless ticked', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  const page = await app.inject({ url: '/auth/sign-in' })
  t.match(page.body, /<input id="remember-me" type="checkbox" name="rememberMe" value="on"[^>]*>/)
  t.notMatch(page.body, /id="remember-me"[^>]*checked/, 'unticked by default')
  t.match(page.body, /<label for="remember-me">Remember me<\/label>/, 'labelled')

  const forgotten = await postForm(app, '/auth/sign-in', { email: user.email, password: user.password })
  t.equal(forgotten.statusCode, 303)
  const browserSession = setCookieFor(forgotten, 'better-auth.session_token') ?? ''
  t.ok(browserSession, 'a session cookie is set')
  t.notMatch(browserSession, /max-age/i, 'unticked: no Max-Age…')
  t.notMatch(browserSession, /expires=/i, '…and no Expires: it ends with the browser session')
  t.match(
    setCookieFor(forgotten, 'better-auth.dont_remember'),
    /^better-auth\.dont_remember=true\./,
    "with Better Auth's dont_remember marker",
  )
  const shortRow = await sessionRowOf(database, sessionCookie(forgotten))
  const day = 24 * 3600 * 1000
  t.ok(shortRow.expiresAt.getTime() - Date.now() <= day, 'and the session itself lasts at most a day')

  const remembered = await postForm(app, '/auth/sign-in', {
    email: user.email,
    password: user.password,
    rememberMe: 'on',
  })
  t.equal(remembered.statusCode, 303)
  const lasting = setCookieFor(remembered, 'better-auth.session_token') ?? ''
  t.match(lasting, /Max-Age=604800/i, "ticked: the cookie outlives the browser, for Better Auth's 7 days")
  t.notOk(setCookieFor(remembered, 'better-auth.dont_remember'), 'no dont_remember marker')
  const longRow = await sessionRowOf(database, sessionCookie(remembered))
  t.ok(longRow.expiresAt.getTime() - Date.now() > 6 * day, 'a week-long session')
})

t.test('signed in already: the forms send you straight on to returnTo', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const rows = [
    { url: '/auth/sign-in?returnTo=%2Fdocs%2Fguide%3Fx%3D1', location: '/docs/guide?x=1' },
    { url: '/auth/sign-up?returnTo=%2Fapi%2Fme', location: '/api/me' },
    { url: '/auth/sign-in', location: '/' },
    { url: '/auth/sign-in?returnTo=%2F%2Fevil.example', location: '/' },
    { url: '/auth/sign-up?returnTo=https%3A%2F%2Fevil.example%2F', location: '/' },
    { url: '/auth/sign-in?returnTo=%2F%5Cevil.example', location: '/' },
  ]
  for (const row of rows) {
    const res = await app.inject({ url: row.url, headers: { cookie: user.cookie } })
    t.equal(res.statusCode, 303, `${row.url}: 303`)
    t.equal(res.headers.location, row.location, `${row.url} → ${row.location}`)
  }
  const anonymous = await app.inject({ url: '/auth/sign-in?returnTo=%2Fdocs' })
  t.equal(anonymous.statusCode, 200, 'without a session: the form')
  const forged = await app.inject({
    url: '/auth/sign-in',
    headers: { cookie: 'better-auth.session_token=forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D' },
  })
  t.equal(forged.statusCode, 200, 'a forged cookie: the form')
  const doubled = await app.inject({
    url: '/auth/sign-in',
    headers: { cookie: `${user.cookie}; ${user.cookie}` },
  })
  t.equal(doubled.statusCode, 200, 'a doubled cookie is no session either: the form')
})

t.test('signed in but the database is down: 503 with Retry-After, never a 500', async (t) => {
  // A database of its own: this test takes it away.
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const { app } = await buildHarness(t, { db: own })
  const user = await signUp(app)
  own.cut()
  for (const url of ['/auth/sign-in?returnTo=%2Fdocs', '/auth/sign-up']) {
    const res = await app.inject({ url, headers: { cookie: user.cookie, accept: 'text/html' } })
    t.equal(res.statusCode, 503, `${url}: the session cannot be checked, and the form could not work`)
    t.equal(res.headers['retry-after'], '5')
    t.match(res.headers['content-type'], /text\/html/, 'a page for a person')
    t.match(res.body, /try again shortly/)
  }
  const anonymous = await app.inject({ url: '/auth/sign-in' })
  t.equal(anonymous.statusCode, 200, 'without a cookie nothing needs the database: the form')
})

t.test('refusals in plain words, with their status codes', async (t) => {
  const { app } = await buildHarness(t, { db })
  const taken = await signUp(app)
  const signUpRows: { name: string; fields: Record<string, string>; status: number; text: string }[] = [
    {
      name: 'email already registered',
      fields: { name: 'N', email: taken.email, password: 'long enough password' },
      status: 422,
      text: 'An account with this email already exists. Sign in instead, or use another email.',
    },
    {
      name: 'password of 7 characters (the limit Better Auth enforces matches the hint)',
      fields: { name: 'N', email: 'short@example.com', password: '1234567' },
      status: 400,
      text: 'The password is too short. Use at least 8 characters.',
    },
    {
      name: 'password of 129 characters',
      fields: { name: 'N', email: 'long@example.com', password: 'x'.repeat(129) },
      status: 400,
      text: 'The password is too long. Use at most 128 characters.',
    },
    {
      name: 'not an email',
      fields: { name: 'N', email: 'not-an-email', password: 'long enough password' },
      status: 400,
      text: 'Enter a valid email address, like name@example.com.',
    },
    {
      name: 'no password at all',
      fields: { name: 'N', email: 'nopass@example.com', password: '' },
      status: 400,
      text: 'Enter a password.',
    },
    {
      name: 'a field missing',
      fields: { email: 'noname@example.com', password: 'long enough password' },
      status: 400,
      text: 'Enter your name.',
    },
  ]
  for (const row of signUpRows) {
    const res = await postForm(app, '/auth/sign-up', row.fields)
    t.equal(res.statusCode, row.status, `${row.name}: ${row.status}`)
    t.match(res.body, row.text, `${row.name}: "${row.text}"`)
    t.match(res.body, /<input id="password"[^>]*aria-describedby="password-hint sign-up-error"/)
  }
  const notAnEmail = await postForm(app, '/auth/sign-in', { email: 'not-an-email', password: 'whatever123' })
  t.equal(notAnEmail.statusCode, 400, 'sign-in: INVALID_EMAIL')
  t.match(notAnEmail.body, 'Enter a valid email address, like name@example.com.')
  const edges = [
    { email: 'eight@example.com', password: '12345678' },
    { email: 'max@example.com', password: 'y'.repeat(128) },
  ]
  for (const edge of edges) {
    const res = await postForm(app, '/auth/sign-up', { name: 'N', ...edge })
    t.equal(res.statusCode, 303, `a password of ${edge.password.length} characters is accepted`)
  }
})

t.test('throttled sign-ins: "Too many attempts. Try again in …" with Retry-After', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  // Better Auth's own limit: 3 sign-ins per 10 s from one address.
  const ip = nextIp()
  let limited = await postForm(app, '/auth/sign-in', { email: user.email, password: user.password }, { ip })
  for (let i = 0; i < 5 && limited.statusCode !== 429; i++) {
    limited = await postForm(app, '/auth/sign-in', { email: user.email, password: user.password }, { ip })
  }
  t.equal(limited.statusCode, 429)
  const seconds = Number(limited.headers['retry-after'])
  t.ok(seconds > 0 && seconds <= 10, `Retry-After: ${seconds}`)
  t.match(limited.body, new RegExp(`Too many attempts\\. Try again in ${seconds} seconds?\\.`))

  // The gateway's per-account limit: 5 failures from any addresses lock it for 15 minutes.
  const victim = await signUp(app)
  for (let i = 0; i < 5; i++) {
    const res = await postForm(app, '/auth/sign-in', { email: victim.email, password: 'wrong password!' })
    t.equal(res.statusCode, 401, `failure ${i + 1}`)
  }
  const locked = await postForm(app, '/auth/sign-in', { email: victim.email, password: victim.password })
  t.equal(locked.statusCode, 429)
  t.ok(Number(locked.headers['retry-after']) > 14 * 60, 'Retry-After until the window ends')
  t.match(locked.body, 'Too many failed sign-ins for this account. Try again in 15 minutes.')
})

t.test('cross-origin and origin-less form posts are refused (login CSRF)', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const payload = new URLSearchParams({ email: user.email, password: user.password }).toString()
  for (const [name, headers] of [
    ['foreign Origin', { origin: 'https://evil.example' }],
    ['no Origin, same-origin fetch metadata', { 'sec-fetch-site': 'same-origin' }],
    ['no Origin at all', {}],
    ['Origin "null" (sandboxed frame)', { origin: 'null' }],
  ] as const) {
    for (const url of ['/auth/sign-in', '/auth/sign-up']) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        remoteAddress: nextIp(),
        payload,
      })
      t.equal(res.statusCode, 403, `${url}, ${name}`)
      t.notOk(res.headers['set-cookie'], `${url}, ${name}: no session issued`)
      t.match(res.headers['content-type'], /text\/html/)
    }
  }
})

t.test('the pages are usable on a phone and a desktop alike: one labelled input each', async (t) => {
  const { app } = await buildHarness(t, { db, env: { APP_NAME: 'Acme' } })
  for (const url of ['/auth/sign-in', '/auth/sign-up']) {
    const res = await app.inject({ url })
    t.match(res.body, '<html lang="en">', `${url}: a language`)
    t.match(res.body, /<meta name="viewport" content="width=device-width, initial-scale=1">/)
    const ids = [...res.body.matchAll(/<input id="([^"]+)"/g)].map((m) => m[1])
    t.ok(ids.length >= 3, `${url}: inputs ${ids.join(', ')}`)
    for (const id of ids) t.match(res.body, `<label for="${id}">`, `${url}: #${id} has a label`)
  }
})

t.test("the brand's link, the root, sends browsers to the docs", async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({ url: '/' })
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, '/docs/')
})
