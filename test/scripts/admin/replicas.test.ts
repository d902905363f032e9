// The admin CLI against a deployment of two gateway instances on different
// ports, one Postgres database, one Redis (a redis-server of this test's own),
// with sessions cached for five minutes (SESSION_CACHE_TTL_MS=300000, so no
// expiry can explain what follows): `users disable` ends a user's sessions
// on both at once (the very next proxied request on A and on B carries no
// identity), sign-in is refused with ACCOUNT_DISABLED on both, and `users
// enable` lets them in again. `sessions revoke` ends the sessions and not the account.
import { sql } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { revocationChannelName } from '../../../src/session/revocation-channel.ts'
import { adminEnv, runAdmin } from '../../fixtures/admin-cli.ts'
import { postForm } from '../../fixtures/page-forms.ts'
import { startRedisServer } from '../../fixtures/redis-server.ts'
import { createTestDatabase } from '../../fixtures/test-database.ts'
import { buildHarness, type Harness, listen, ORIGIN, sessionCookie, signIn, signUp } from '../../helper.ts'

t.setTimeout(300_000)

// The CLI is another process: the embedded database (one process) cannot be shared with it.
const db = await createTestDatabase('pg')
t.teardown(() => db.close())
const redis = await startRedisServer(t)
const cli = adminEnv(db, { REDIS_URL: redis.url, PUBLIC_URL: ORIGIN })

interface Instance extends Harness {
  port: number
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await condition()) return true
    await new Promise((r) => setTimeout(r, 10))
  }
  return condition()
}

async function pair(t: Test): Promise<[Instance, Instance]> {
  const env = { SESSION_CACHE_TTL_MS: '300000', REDIS_URL: redis.url }
  const instances: Instance[] = []
  for (let i = 0; i < 2; i++) {
    const harness = await buildHarness(t, { db, env })
    instances.push({ ...harness, port: await listen(harness.app) })
  }
  const [a, b] = instances as [Instance, Instance]
  const subscribed = async () => {
    const commands = a.app.redis?.commands
    if (commands === undefined || a.app.redis?.state() !== 'up' || b.app.redis?.state() !== 'up') return false
    const reply = (await commands.pubsub('NUMSUB', revocationChannelName(ORIGIN))) as [string, number]
    return Number(reply[1]) === 2
  }
  t.ok(await until(subscribed, 5000), 'both instances subscribed to the revocation channel')
  await new Promise((r) => setTimeout(r, 20)) // each clears its cache once subscribed
  return [a, b]
}

/** The identity the upstream received for a proxied request over HTTP to `instance`, or undefined. */
async function identityOn(instance: Instance, cookie: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${instance.port}/api/who`, { headers: { cookie } })
  const { headers } = (await res.json()) as { headers: Record<string, string> }
  return headers['x-user-email']
}

/** Signs `user` in on A and on B, and has both instances cache both sessions (each checked). */
async function signedInOnBoth(t: Test, a: Instance, b: Instance) {
  const user = await signUp(a.app)
  const onA = user.cookie
  const onB = sessionCookie(await signIn(b.app, user))
  for (const instance of [a, b])
    for (const cookie of [onA, onB]) {
      t.equal(await identityOn(instance, cookie), user.email, 'signed in')
      const hits = instance.app.sessionCache.stats.hits
      await identityOn(instance, cookie)
      t.equal(instance.app.sessionCache.stats.hits, hits + 1, 'and served from the cache')
    }
  return { user, cookies: [onA, onB] }
}

t.test('users disable: both instances at once; sign-in refused; enable lets them in again', async (t) => {
  const [a, b] = await pair(t)
  const { user, cookies } = await signedInOnBoth(t, a, b)

  const r = await runAdmin(['users', 'disable', user.email, '--reason', 'offboarded', '--json'], cli)
  t.equal(r.code, 0, `disable: ${r.stderr}`)
  t.equal(r.stderr, '', 'no warning: Redis took it')
  const result = r.json<{ sessionsDeleted: number; revocation: unknown }>()
  t.equal(result.sessionsDeleted, 2, 'both sessions deleted')
  t.same(result.revocation, { published: true, instances: 2 }, 'both instances told')

  for (const [name, instance] of [
    ['A', a],
    ['B', b],
  ] as const) {
    for (const cookie of cookies)
      t.equal(await identityOn(instance, cookie), undefined, `${name}: the very next request is anonymous`)
    const verify = await fetch(`http://127.0.0.1:${instance.port}/verify`, {
      headers: { cookie: cookies[0] ?? '' },
    })
    t.equal(verify.status, 401, `${name}: /verify refuses it`)
    const refused = await signIn(instance.app, user)
    t.equal(refused.statusCode, 403, `${name}: sign-in refused`)
    t.equal(refused.json().code, 'ACCOUNT_DISABLED', `${name}: with its code`)
    const wrong = await signIn(instance.app, { email: user.email, password: 'not the password' })
    t.equal(wrong.statusCode, 401, `${name}: a wrong password still reads as wrong (nothing more is told)`)
  }
  const page = await postForm(a.app, '/auth/sign-in', { email: user.email, password: user.password })
  t.equal(page.statusCode, 403, 'the sign-in page: refused')
  t.match(page.body, /This account has been disabled\. Contact your administrator/, 'in plain words')

  const enabled = await runAdmin(['users', 'enable', user.email], cli)
  t.equal(enabled.code, 0)
  const again = await signIn(b.app, user)
  t.equal(again.statusCode, 200, 'enabled: sign-in works again')
  t.equal(await identityOn(a, sessionCookie(again)), user.email, 'and the new session works on A too')
})

t.test('sessions revoke: both instances at once, and the user may sign in again', async (t) => {
  const [a, b] = await pair(t)
  const { user, cookies } = await signedInOnBoth(t, a, b)
  const r = await runAdmin(['sessions', 'revoke', user.email], cli)
  t.equal(r.code, 0)
  t.match(r.stdout, /^deleted 2 session\(s\) of .*; told 2 running gateway instance\(s\) through Redis$/m)
  for (const instance of [a, b])
    for (const cookie of cookies) t.equal(await identityOn(instance, cookie), undefined, 'anonymous at once')
  t.equal((await signIn(a.app, user)).statusCode, 200, 'not disabled: signs in again')
})

t.test('a session that outlived the deletion (a sign-in racing the CLI) opens nothing', async (t) => {
  const [a] = await pair(t)
  const user = await signUp(a.app)
  const database = await db.shared()
  // As if the CLI had disabled the user, and a session had been written just after its deletion.
  await database.db.execute(sql`update "user" set disabled_at = now() where email = ${user.email}`)
  a.app.sessionCache.clear()
  t.equal(
    await identityOn(a, user.cookie),
    undefined,
    'refused: the lookup query skips a disabled user (and Better Auth’s answer is checked)',
  )
  // Due for refresh: the lookup then asks Better Auth, which must refuse it too.
  await database.db.execute(
    sql`update session set expires_at = now() + interval '1 hour' where user_id = (select id from "user" where email = ${user.email})`,
  )
  a.app.sessionCache.clear()
  t.equal(
    await identityOn(a, user.cookie),
    undefined,
    'due for refresh, the path through Better Auth refuses it too',
  )
})
