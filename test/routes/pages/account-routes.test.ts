// The account page: sessions listed without their tokens, one or all others
// revoked through Better Auth (and so evicted from the session cache at once),
// password changes, and refusals for ids that are not the user's.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import {
  postForm,
  sessionRowOf,
  sessionsOf,
  setCookieFor,
  tokenOf,
  USER_AGENTS,
} from '../../fixtures/page-forms.ts'
import { createTestDatabase } from '../../fixtures/test-database.ts'
import {
  buildHarness,
  fileDatabase,
  type Harness,
  nextIp,
  sessionCookie,
  signUp,
  type TestUser,
} from '../../helper.ts'

const db = await fileDatabase(t)
const NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' }

/** Signs `user` in through the form from a browser with `userAgent`; the new cookie. */
async function signInFrom(app: FastifyInstance, user: TestUser, userAgent: string, ip?: string) {
  const res = await postForm(
    app,
    '/auth/sign-in',
    { email: user.email, password: user.password, rememberMe: 'on' },
    { userAgent, ip },
  )
  if (res.statusCode !== 303) throw new Error(`sign-in failed ${res.statusCode}: ${res.body}`)
  return sessionCookie(res)
}

/** What the API upstream was told about the caller with `cookie`: its user id, or undefined. */
async function identityThroughProxy({ app, api }: Harness, cookie: string) {
  const res = await app.inject({ url: '/api/whoami', headers: { cookie } })
  if (res.statusCode !== 200) throw new Error(`proxy answered ${res.statusCode}`)
  return api.last().headers['x-user-id'] as string | undefined
}

/** A user signed in three times: the sign-up (inject's UA), Chrome on macOS, Firefox on Linux. */
async function userWithThreeSessions(app: FastifyInstance) {
  const user = await signUp(app, { name: 'Three Sessions' })
  const chrome = await signInFrom(app, user, USER_AGENTS.chromeMac)
  // Better Auth's rate limits are kept per process, not per app: a fresh address each time.
  const firefoxIp = nextIp()
  const firefox = await signInFrom(app, user, USER_AGENTS.firefoxLinux, firefoxIp)
  return { user, chrome, firefox, firefoxIp }
}

t.test('account page: needs a session, escapes what it shows, links onward', async (t) => {
  const { app } = await buildHarness(t, { db })
  const anonymous = await app.inject({ url: '/auth/account' })
  t.equal(anonymous.statusCode, 303)
  t.equal(anonymous.headers.location, '/auth/sign-in?returnTo=%2Fauth%2Faccount')

  const user = await signUp(app, { name: '<script>alert(1)</script>' })
  const page = await app.inject({ url: '/auth/account', headers: { cookie: user.cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.notMatch(page.body, /<script>alert/)
  t.match(page.body, `<dd>${user.email}</dd>`)
  t.match(page.body, '<a href="/docs/">Documentation</a>', 'a way to the docs')
  t.match(page.body, '<a href="/">Home</a>', 'and to the app')
  t.match(page.body, /<form method="post" action="\/auth\/sign-out">/, 'and a sign-out button')
  t.match(page.body, 'You are signed in only on this device.')
  t.notMatch(page.body, 'Sign out everywhere else', 'nothing else to sign out of')
})

t.test('sessions: device, browser, IP and times, "This device" marked, no token anywhere', async (t) => {
  const harness = await buildHarness(t, { db })
  const { app, database } = harness
  const { chrome, firefox, firefoxIp } = await userWithThreeSessions(app)
  const res = await app.inject({ url: '/auth/account', headers: { cookie: chrome } })
  t.equal(res.statusCode, 200)
  const items = res.body.split('<li class="session">').slice(1)
  t.equal(items.length, 3, 'three sessions listed')
  t.match(items[0], /Chrome on macOS <span class="badge">This device<\/span>/, 'this device first, marked')
  t.notMatch(items[0], /<button/, 'no revoke button for this device (sign out is)')
  t.match(items[0], 'Desktop')
  t.match(
    items[0],
    /Signed in <time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC<\/time>/,
  )
  t.match(items[0], 'not renewed yet', 'honest about updatedAt: a fresh session was never renewed')
  const firefoxItem = items.find((item) => item.includes('Firefox on Linux')) ?? ''
  t.match(firefoxItem, `IP ${firefoxIp}`, 'the recorded address')
  t.match(
    firefoxItem,
    /<button type="submit" class="secondary danger">Sign out<span class="visually-hidden"> Firefox on Linux, signed in [^<]+ UTC<\/span><\/button>/,
    "the button's accessible name says which session it ends",
  )
  t.match(res.body, /“renewed” is not the time of its last visit/, 'the renewal time is explained')
  t.match(res.body, /action="\/auth\/account\/sessions\/revoke-others"/, 'a sign-out-everywhere-else form')

  const userId = (await sessionRowOf(database, chrome)).userId
  const rows = await sessionsOf(database, userId)
  t.equal(rows.length, 3)
  const firefoxRow = rows.find((row) => row.token === tokenOf(firefox))
  t.match(firefoxItem, `name="sessionId" value="${firefoxRow?.id}"`, 'the form posts the session id')
  for (const row of rows) {
    t.notMatch(res.body, row.token, `session token ${row.token.slice(0, 4)}… is nowhere in the HTML`)
  }
  for (const cookie of [chrome, firefox]) {
    const signature = decodeURIComponent(cookie).split('.').pop() ?? ''
    t.notMatch(res.body, signature, 'nor any cookie signature')
  }
})

t.test('revoke one session: the next proxied request on it is anonymous, this one still works', async (t) => {
  const harness = await buildHarness(t, { db })
  const { app, database } = harness
  const { chrome, firefox } = await userWithThreeSessions(app)
  const userId = (await sessionRowOf(database, chrome)).userId
  // Both in the session cache first: revocation must evict, not wait for a TTL.
  t.equal(await identityThroughProxy(harness, firefox), userId, 'the Firefox session works before')
  t.equal(await identityThroughProxy(harness, chrome), userId)

  const firefoxId = (await sessionRowOf(database, firefox)).id
  const revoked = await postForm(
    app,
    '/auth/account/sessions/revoke',
    { sessionId: firefoxId },
    { cookie: chrome },
  )
  t.equal(revoked.statusCode, 303)
  t.equal(revoked.headers.location, '/auth/account?notice=session-revoked', 'post/redirect/get')
  t.equal(await identityThroughProxy(harness, firefox), undefined, 'the revoked session is anonymous at once')
  t.equal(await identityThroughProxy(harness, chrome), userId, 'this device is still signed in')

  const after = await app.inject({ url: revoked.headers.location as string, headers: { cookie: chrome } })
  t.match(after.body, '<div class="alert notice" role="status">That session was signed out.</div>')
  t.notMatch(after.body, 'Firefox on Linux', 'gone from the list')
  t.equal((await sessionsOf(database, userId)).length, 2)
})

t.test('revoke every other session', async (t) => {
  const harness = await buildHarness(t, { db })
  const { app, database } = harness
  const { user, chrome, firefox } = await userWithThreeSessions(app)
  const userId = (await sessionRowOf(database, chrome)).userId
  for (const cookie of [user.cookie, firefox]) t.equal(await identityThroughProxy(harness, cookie), userId)

  const res = await postForm(app, '/auth/account/sessions/revoke-others', {}, { cookie: chrome })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/auth/account?notice=others-revoked')
  for (const cookie of [user.cookie, firefox]) {
    t.equal(await identityThroughProxy(harness, cookie), undefined, 'another session is anonymous at once')
  }
  t.equal(await identityThroughProxy(harness, chrome), userId, 'this one still works')
  const page = await app.inject({ url: res.headers.location as string, headers: { cookie: chrome } })
  t.match(page.body, 'Every other session was signed out.')
  t.match(page.body, 'You are signed in only on this device.')
  t.equal((await sessionsOf(database, userId)).length, 1)
})

t.test("another user's session id (or any id not yours) is refused and changes nothing", async (t) => {
  const harness = await buildHarness(t, { db })
  const { app, database } = harness
  const attacker = await signUp(app, { name: 'Attacker' })
  const victim = await signUp(app, { name: 'Victim' })
  const victimRow = await sessionRowOf(database, victim.cookie)
  t.equal(await identityThroughProxy(harness, victim.cookie), victimRow.userId)

  const ids = [victimRow.id, victimRow.token, 'no-such-session', '']
  for (const sessionId of ids) {
    const res = await postForm(
      app,
      '/auth/account/sessions/revoke',
      { sessionId },
      { cookie: attacker.cookie },
    )
    t.equal(res.statusCode, 404, `sessionId ${JSON.stringify(sessionId.slice(0, 12))}: 404`)
    t.match(res.body, 'That session was not found among yours.', 'a page that says so')
    t.match(res.body, /role="alert" id="sessions-error"/)
  }
  const missing = await postForm(app, '/auth/account/sessions/revoke', {}, { cookie: attacker.cookie })
  t.equal(missing.statusCode, 404, 'no sessionId at all: 404')

  t.equal(
    await identityThroughProxy(harness, victim.cookie),
    victimRow.userId,
    "the victim's session is untouched",
  )
  t.equal((await sessionsOf(database, victimRow.userId)).length, 1, 'its row is still there')
  t.equal((await sessionsOf(database, (await sessionRowOf(database, attacker.cookie)).userId)).length, 1)
})

t.test('the session forms refuse other origins and anonymous posts', async (t) => {
  const harness = await buildHarness(t, { db })
  const { app, database } = harness
  const { chrome, firefox } = await userWithThreeSessions(app)
  const firefoxId = (await sessionRowOf(database, firefox)).id
  for (const origin of ['https://evil.example', null]) {
    for (const [url, fields] of [
      ['/auth/account/sessions/revoke', { sessionId: firefoxId }],
      ['/auth/account/sessions/revoke-others', {}],
      ['/auth/account/password', { currentPassword: 'x', newPassword: 'yyyyyyyyyy' }],
    ] as const) {
      const res = await postForm(app, url, fields, { cookie: chrome, origin })
      t.equal(res.statusCode, 403, `${url} from ${origin ?? 'no origin'}: 403`)
    }
  }
  t.ok(await identityThroughProxy(harness, firefox), 'nothing was revoked')
  const anonymous = await postForm(app, '/auth/account/sessions/revoke', { sessionId: firefoxId })
  t.equal(anonymous.statusCode, 303, 'no session: to sign-in')
  t.equal(anonymous.headers.location, '/auth/sign-in?returnTo=%2Fauth%2Faccount')
  const anonymousOthers = await postForm(app, '/auth/account/sessions/revoke-others', {})
  t.equal(anonymousOthers.statusCode, 303)
})

t.test('revoking this device from the list is a sign-out', async (t) => {
  const harness = await buildHarness(t, { db })
  const { app, database } = harness
  const user = await signUp(app)
  const own = await sessionRowOf(database, user.cookie)
  const res = await postForm(
    app,
    '/auth/account/sessions/revoke',
    { sessionId: own.id },
    { cookie: user.cookie },
  )
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/auth/sign-in')
  t.match(setCookieFor(res, 'better-auth.session_token'), /Max-Age=0/, 'the cookie is cleared')
  t.equal(await identityThroughProxy(harness, user.cookie), undefined)
})

t.test('notices: only the known keys, as fixed text; nothing from the query is shown', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const known = await app.inject({
    url: '/auth/account?notice=password-changed',
    headers: { cookie: user.cookie },
  })
  t.match(known.body, 'Password changed. Every other session was signed out.')
  for (const notice of ['<script>alert(1)</script>', 'toString', '__proto__', 'Your account was hacked']) {
    const res = await app.inject({
      url: `/auth/account?notice=${encodeURIComponent(notice)}`,
      headers: { cookie: user.cookie },
    })
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, 'role="status"', `${notice}: no notice`)
    t.notMatch(res.body, notice, `${notice}: not reflected`)
  }
})

t.test(
  'a session signed in over a day ago still sees its sessions and ends one (no list-sessions freshAge)',
  async (t) => {
    const harness = await buildHarness(t, { db })
    const { app, database } = harness
    const { chrome, firefox } = await userWithThreeSessions(app)
    // Better Auth's list-sessions would now refuse (freshAge: a day from creation).
    await database.db.execute(
      sql`update "session" set created_at = now() - interval '2 days' where token = ${tokenOf(chrome)}`,
    )
    const page = await app.inject({ url: '/auth/account', headers: { cookie: chrome } })
    t.equal(page.statusCode, 200)
    t.equal((page.body.match(/<li class="session">/g) ?? []).length, 3, 'all three sessions listed')
    const firefoxId = (await sessionRowOf(database, firefox)).id
    const revoke = await postForm(
      app,
      '/auth/account/sessions/revoke',
      { sessionId: firefoxId },
      { cookie: chrome },
    )
    t.equal(revoke.statusCode, 303, 'one session ended')
    t.equal(await identityThroughProxy(harness, firefox), undefined, 'and it is anonymous at once')
    t.ok(await identityThroughProxy(harness, chrome), 'this device is still signed in')
  },
)

t.test(
  'the database failing while the sessions are read: 503 with Retry-After, nothing half-shown',
  async (t) => {
    const own = await createTestDatabase()
    t.teardown(() => own.close())
    const harness = await buildHarness(t, { db: own })
    const { chrome } = await userWithThreeSessions(harness.app)
    // The identity is cached; the list is not, so only the list meets the outage.
    await identityThroughProxy(harness, chrome)
    own.cut()
    const page = await harness.app.inject({
      url: '/auth/account',
      headers: { cookie: chrome, ...NAVIGATION },
    })
    t.equal(page.statusCode, 503)
    t.ok(page.headers['retry-after'], 'with Retry-After')
    t.notMatch(page.body, 'class="session"')
  },
)

t.test(
  'change password: plain refusals; success signs out the rest and comes back with a notice',
  async (t) => {
    const harness = await buildHarness(t, { db })
    const { app, database } = harness
    const { user, chrome, firefox } = await userWithThreeSessions(app)
    const wrong = await postForm(
      app,
      '/auth/account/password',
      { currentPassword: 'not my password', newPassword: 'another long password' },
      { cookie: chrome },
    )
    t.equal(wrong.statusCode, 400)
    t.match(
      wrong.body,
      /<div class="alert error" role="alert" id="password-error">Your current password is incorrect\.<\/div>/,
    )
    t.match(wrong.body, /<input id="current-password"[^>]*aria-describedby="password-error"/)
    t.match(wrong.body, '<li class="session">', 'the rest of the page is still there')
    const short = await postForm(
      app,
      '/auth/account/password',
      { currentPassword: user.password, newPassword: 'short' },
      { cookie: chrome },
    )
    t.equal(short.statusCode, 400)
    t.match(short.body, 'The password is too short. Use at least 8 characters.')

    const changed = await postForm(
      app,
      '/auth/account/password',
      { currentPassword: user.password, newPassword: 'another long password' },
      { cookie: chrome },
    )
    t.equal(changed.statusCode, 303)
    t.equal(changed.headers.location, '/auth/account?notice=password-changed')
    const newCookie = sessionCookie(changed)
    t.equal(await identityThroughProxy(harness, firefox), undefined, 'other sessions are signed out')
    const page = await app.inject({ url: changed.headers.location as string, headers: { cookie: newCookie } })
    t.equal(page.statusCode, 200)
    t.match(page.body, 'Password changed. Every other session was signed out.')
    t.match(page.body, 'You are signed in only on this device.')
    const userId = (await sessionRowOf(database, newCookie)).userId
    t.equal((await sessionsOf(database, userId)).length, 1)
  },
)
