// The session cache on the hot path, against the real database: zero queries
// on a hot cache, revocation exact on every path that revokes, coalesced
// misses, a negative cache for unknown cookies, and refresh still working.
import { createHmac, randomBytes } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import t from 'tap'
import { session } from '../../db/schema.ts'
import { revocations, tokenOf } from '../fixtures/revocations.ts'
import { createTestDatabase } from '../fixtures/test-database.ts'
import { buildHarness, fileDatabase, ORIGIN, SECRET, sessionCookie, signIn, signUp } from '../helper.ts'

const db = await fileDatabase(t)

/** A correctly signed cookie for a token the database has never seen. */
function signedUnknownCookie(): string {
  const token = randomBytes(24).toString('base64url')
  const signature = createHmac('sha256', SECRET).update(token).digest('base64')
  return `better-auth.session_token=${encodeURIComponent(`${token}.${signature}`)}`
}

t.test('a hot cache costs zero database queries per request', async (t) => {
  const { app, api, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  await app.inject({ url: '/api/warm', headers: { cookie: user.cookie } })
  const before = database.queryCount()
  for (let i = 0; i < 50; i++) await app.inject({ url: '/api/hot', headers: { cookie: user.cookie } })
  t.equal(database.queryCount() - before, 0, '50 authenticated requests, no query')
  t.ok(api.last().headers['x-user-id'], 'and they still carry identity')
})

t.test('a cache hit is answered synchronously; a miss, a lookup', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  app.sessionCache.clear()
  const miss = app.resolveSession(user.cookie)
  t.ok(miss instanceof Promise, 'a miss has to ask the database')
  t.match(await miss, { state: 'signed-in', identity: { email: user.email } })
  const hit = app.resolveSession(user.cookie)
  t.notOk(hit instanceof Promise, 'a hit needs no I/O')
  t.match(hit, { state: 'signed-in', identity: { email: user.email }, setCookie: [] })
  t.same(app.resolveSession(undefined), { state: 'anonymous', setCookie: [] }, 'no cookie, no lookup')
  const forged = app.resolveSession('better-auth.session_token=abc.def')
  t.notOk(forged instanceof Promise, 'a badly signed cookie is refused without I/O')
  t.match(forged, { state: 'anonymous' })
})

t.test('concurrent misses for one session are one lookup', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  app.sessionCache.clear()
  const before = database.queryCount()
  await Promise.all(
    Array.from({ length: 25 }, () => app.inject({ url: '/api/x', headers: { cookie: user.cookie } })),
  )
  const queries = database.queryCount() - before
  t.ok(queries > 0 && queries <= 3, `25 concurrent first requests cost ${queries} queries (one lookup)`)
})

t.test('misses for distinct sessions that arrive together share one query', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const users = []
  for (let i = 0; i < 12; i++) users.push(await signUp(app, { name: `Batch ${i}` }))
  app.sessionCache.clear()
  const before = database.queryCount()
  const answers = await Promise.all(
    users.map((user) => app.inject({ url: '/verify', headers: { cookie: user.cookie } })),
  )
  const queries = database.queryCount() - before
  t.ok(queries >= 1 && queries <= 2, `12 concurrent first requests for 12 sessions cost ${queries} queries`)
  t.same(
    answers.map((res) => [res.statusCode, res.headers['x-user-email'], res.headers['x-user-name']]),
    users.map((user, i) => [200, user.email, `Batch ${i}`]),
    "each request gets its own identity, never a neighbour's",
  )
})

t.test('an expired session is anonymous, and Better Auth clears its cookie', async (t) => {
  const { app, api, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  const token = decodeURIComponent(user.cookie.split('=')[1] as string).split('.')[0] as string
  await database.db.execute(
    sql`update "session" set expires_at = now() - interval '1 minute' where token = ${token}`,
  )
  app.sessionCache.clear()
  const res = await app.inject({ url: '/api/expired', headers: { cookie: user.cookie } })
  t.equal(res.statusCode, 200, 'a public path still answers')
  t.notOk(api.last().headers['x-user-id'], 'with no identity')
  t.match(String(res.headers['set-cookie']), /better-auth\.session_token=;.*Max-Age=0/, 'cookie cleared')
  const rows = await database.db.select().from(session).where(eq(session.token, token))
  t.equal(rows.length, 0, 'and the expired row deleted, as Better Auth does')
})

t.test('a flood of unknown cookies is one query per cookie, not per request', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const cookie = signedUnknownCookie()
  const first = database.queryCount()
  await app.inject({ url: '/api/x', headers: { cookie } })
  const perLookup = database.queryCount() - first
  t.ok(perLookup > 0, 'a correctly signed unknown token is looked up once')
  const before = database.queryCount()
  for (let i = 0; i < 30; i++) await app.inject({ url: '/api/x', headers: { cookie } })
  t.equal(database.queryCount() - before, 0, 'then remembered as unknown')
  const forgedBefore = database.queryCount()
  for (let i = 0; i < 30; i++) {
    await app.inject({ url: '/api/x', headers: { cookie: `better-auth.session_token=forged${i}.sig` } })
  }
  t.equal(database.queryCount() - forgedBefore, 0, 'badly signed cookies never reach the database')
})

t.test('revocation is exact: the very next request carries no identity', async (t) => {
  // A long TTL, so only eviction (never expiry) can explain the result.
  const { app, api } = await buildHarness(t, { db, env: { SESSION_CACHE_TTL_MS: '300000' } })
  for (const row of revocations) {
    const user = await signUp(app)
    const other = sessionCookie(await signIn(app, user))
    const cookie = user.cookie
    const token = tokenOf(cookie)
    await app.inject({ url: '/api/warm', headers: { cookie } })
    t.ok(api.last().headers['x-user-id'], `${row.name}: cached and signed in before`)
    const status = await row.revoke({ app, cookie, other, token, user })
    t.equal(status, 200, `${row.name}: revocation answered 200`)
    await app.inject({ url: '/api/next', headers: { cookie } })
    t.notOk(api.last().headers['x-user-id'], `${row.name}: the next request is anonymous`)
    const verify = await app.inject({ url: '/verify', headers: { cookie } })
    t.equal(verify.statusCode, 401, `${row.name}: /verify agrees`)
  }
})

t.test('a profile change is visible on the next request', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { SESSION_CACHE_TTL_MS: '300000' } })
  const user = await signUp(app, { name: 'Before' })
  await app.inject({ url: '/api/warm', headers: { cookie: user.cookie } })
  const before = api.last().headers['x-user-assertion'] as string
  const update = await app.inject({
    method: 'POST',
    url: '/api/auth/update-user',
    headers: { cookie: user.cookie, origin: ORIGIN },
    payload: { name: 'After' },
  })
  t.equal(update.statusCode, 200)
  await app.inject({ url: '/api/next', headers: { cookie: user.cookie } })
  t.equal(api.last().headers['x-user-name'], 'After')
  // The assertion is minted anew at once, not reused: its claims changed.
  t.equal(decodeJwt(before).name, 'Before')
  t.equal(
    decodeJwt(api.last().headers['x-user-assertion'] as string).name,
    'After',
    'the claims follow the change at once',
  )
})

t.test('entries expire after SESSION_CACHE_TTL_MS (the bound across instances)', async (t) => {
  const { app, database } = await buildHarness(t, { db, env: { SESSION_CACHE_TTL_MS: '150' } })
  const user = await signUp(app)
  await app.inject({ url: '/api/warm', headers: { cookie: user.cookie } })
  await new Promise((r) => setTimeout(r, 250))
  const before = database.queryCount()
  await app.inject({ url: '/api/again', headers: { cookie: user.cookie } })
  t.ok(database.queryCount() > before, 'looked up again after the TTL')
})

t.test('session refresh still works, and its Set-Cookie reaches the browser', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  const token = decodeURIComponent(user.cookie.split('=')[1] as string).split('.')[0] as string
  // Make the session due for refresh: Better Auth refreshes once
  // expiresAt - expiresIn + updateAge has passed (7 days, 1 day by default).
  await database.db.execute(
    sql`update "session" set expires_at = now() + interval '5 days' where token = ${token}`,
  )
  app.sessionCache.clear()
  const res = await app.inject({ url: '/api/refresh', headers: { cookie: user.cookie } })
  t.equal(res.statusCode, 200)
  t.match(
    String(res.headers['set-cookie']),
    /better-auth\.session_token=.*Max-Age=604800/,
    'refreshed cookie sent',
  )
})

t.test('database down: a fresh cache entry still serves; no entry fails closed', async (t) => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const { app, api } = await buildHarness(t, { db: own, env: { SESSION_CACHE_TTL_MS: '300000' } })
  const cached = await signUp(app)
  const uncached = await signUp(app)
  await app.inject({ url: '/api/warm', headers: { cookie: cached.cookie } })
  app.sessionCache.evictToken(
    decodeURIComponent(uncached.cookie.split('=')[1] as string).split('.')[0] as string,
  )
  own.cut()
  const hit = await app.inject({ url: '/api/x', headers: { cookie: cached.cookie } })
  t.equal(hit.statusCode, 200, 'fresh entry: served within the TTL')
  t.ok(api.last().headers['x-user-id'])
  const miss = await app.inject({ url: '/api/x', headers: { cookie: uncached.cookie } })
  t.equal(miss.statusCode, 503, 'no entry: 503')
})
