// Two gateway instances, one database, one Redis, one public origin: a
// session made on A works on B, and every way of revoking it on A stops B
// from injecting that identity, though B had it cached for five minutes
// (SESSION_CACHE_TTL_MS=300000, so no expiry can explain it); failed
// sign-ins spread over A and B are limited together. Without REDIS_URL the
// same revocation leaves B trusting its cache, and each counts alone: the controls.
// Redis stopped mid-run: both keep serving, alone; it comes back: both
// reconnect, and B forgets what it may have missed.
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { revocationChannelName } from '../../src/session/revocation-channel.ts'
import { startRedisServer } from '../fixtures/redis-server.ts'
import { postAs, revocations, tokenOf } from '../fixtures/revocations.ts'
import {
  buildHarness,
  fileDatabase,
  type Harness,
  nextIp,
  ORIGIN,
  sessionCookie,
  signIn,
  signUp,
} from '../helper.ts'

const db = await fileDatabase(t)
const redis = await startRedisServer(t)
const METRICS = 'replicas-metrics-token-0123456789'
const LONG_TTL = { SESSION_CACHE_TTL_MS: '300000', METRICS_TOKEN: METRICS }

/** Collects an instance's warnings and infos, to count what it logs about Redis. */
function logCapture() {
  const lines: { msg: string; level: number }[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, fastify: { logger: { level: 'info', stream } } }
}

async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await condition()) return true
    await sleep(2)
  }
  return condition()
}

/** Both instances subscribed to the deployment's channel (what Redis itself says). */
async function subscribed(h: Harness, count: number): Promise<boolean> {
  const commands = h.app.redis?.commands
  if (commands === undefined || h.app.redis?.state() !== 'up') return false
  const reply = (await commands.pubsub('NUMSUB', revocationChannelName(ORIGIN)).catch(() => [])) as [
    string,
    number,
  ]
  return Number(reply[1]) === count
}

/** The instance's /metrics as name → value (unlabelled samples only). */
async function scrape(h: Harness): Promise<Map<string, number>> {
  const res = await h.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS}` } })
  const samples = new Map<string, number>()
  for (const line of res.body.split('\n')) {
    const match = /^([a-z_]+) (\S+)$/.exec(line)
    if (match) samples.set(match[1] as string, Number(match[2]))
  }
  return samples
}

async function pair(t: Test, env: Record<string, string>) {
  const logA = logCapture()
  const logB = logCapture()
  const a = await buildHarness(t, { db, env: { ...LONG_TTL, ...env }, fastify: logA.fastify })
  const b = await buildHarness(t, { db, env: { ...LONG_TTL, ...env }, fastify: logB.fastify })
  if (env.REDIS_URL !== undefined) {
    t.ok(await until(() => subscribed(a, 2), 5000), 'both instances subscribed')
    await sleep(20) // each clears its cache once subscribed: let that happen before warming
  }
  return { a, b, logs: { a: logA.lines, b: logB.lines } }
}

/** B serves `cookie` from its cache (a second request is a hit) with the identity. */
async function cachedOn(t: Test, b: Harness, cookie: string, label: string) {
  await b.app.inject({ url: '/api/warm', headers: { cookie } })
  const hits = b.app.sessionCache.stats.hits
  await b.app.inject({ url: '/api/warm', headers: { cookie } })
  t.ok(b.api.last().headers['x-user-id'], `${label}: B injects the identity`)
  t.equal(b.app.sessionCache.stats.hits, hits + 1, `${label}: from its cache`)
}

t.test('a session made on A works on B', async (t) => {
  const { a, b } = await pair(t, { REDIS_URL: redis.url })
  const user = await signUp(a.app)
  await b.app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
  t.equal(b.api.last().headers['x-user-email'], user.email)
})

t.test('every revocation on A: B stops injecting that identity', async (t) => {
  const { a, b } = await pair(t, { REDIS_URL: redis.url })
  const delays: number[] = []
  for (const row of revocations) {
    const user = await signUp(a.app)
    const other = sessionCookie(await signIn(a.app, user))
    const cookie = user.cookie
    await cachedOn(t, b, cookie, row.name)
    const evictions = b.app.sessionCache.stats.evictions
    const status = await row.revoke({ app: a.app, cookie, other, token: tokenOf(cookie), user })
    const answered = performance.now()
    t.equal(status, 200, `${row.name}: answered on A`)
    // The message is on its way when A answers; a client's next request
    // crosses the network, which takes longer than this does.
    t.ok(await until(() => b.app.sessionCache.stats.evictions > evictions, 1000), `${row.name}: B evicts it`)
    delays.push(performance.now() - answered)
    await b.app.inject({ url: '/api/next', headers: { cookie } })
    t.notOk(b.api.last().headers['x-user-id'], `${row.name}: B's next request is anonymous`)
  }
  t.comment(`A's answer to B's eviction: max ${Math.max(...delays).toFixed(2)} ms over ${delays.length}`)
  const sent = a.app.revocationChannel?.stats
  const heard = b.app.revocationChannel?.stats
  t.ok(await until(() => heard?.received === sent?.published, 1000), 'B heard every revocation A published')
  t.ok((sent?.published ?? 0) >= revocations.length, `one or more per row (${sent?.published})`)
  t.equal(sent?.unpublished, 0, 'none was lost')
  const metrics = await scrape(a)
  t.equal(metrics.get('gateway_redis_up'), 1, '/metrics: Redis up')
  t.equal(metrics.get('gateway_revocations_published_total'), sent?.published, '/metrics: published')
  t.equal(metrics.get('gateway_revocations_received_total'), 0, '/metrics: A heard none (B revoked nothing)')
})

t.test('a profile change on A: B injects the new name', async (t) => {
  const { a, b } = await pair(t, { REDIS_URL: redis.url })
  const user = await signUp(a.app, { name: 'Before' })
  await cachedOn(t, b, user.cookie, 'profile')
  const evictions = b.app.sessionCache.stats.evictions
  t.equal(await postAs(a.app, user.cookie, '/api/auth/update-user', { name: 'After' }), 200)
  t.ok(await until(() => b.app.sessionCache.stats.evictions > evictions, 1000), 'B evicts the user')
  await b.app.inject({ url: '/api/next', headers: { cookie: user.cookie } })
  t.equal(b.api.last().headers['x-user-name'], 'After')
})

t.test('the control: without REDIS_URL, B trusts its cache after A’s sign-out', async (t) => {
  const { a, b } = await pair(t, {})
  const user = await signUp(a.app)
  await cachedOn(t, b, user.cookie, 'no Redis')
  t.equal(await postAs(a.app, user.cookie, '/api/auth/sign-out'), 200)
  await sleep(200)
  await b.app.inject({ url: '/api/next', headers: { cookie: user.cookie } })
  t.ok(b.api.last().headers['x-user-id'], 'B still injects it: only its TTL would end that')
  t.same(
    (await b.app.inject('/readyz')).json(),
    { status: 'ready', database: 'up' },
    'and /readyz names no Redis',
  )
})

/** Sign-in statuses for wrong passwords sent to `apps` in turn (from `ip`, or a new address each). */
async function failedSignIns(apps: Harness[], email: string, ip?: string) {
  const responses = []
  for (const h of apps)
    responses.push(await signIn(h.app, { email, password: 'not the password' }, ip ?? nextIp()))
  return responses
}

t.test('failed sign-ins spread over A and B are limited together', async (t) => {
  const { a, b } = await pair(t, { REDIS_URL: redis.url })
  const user = await signUp(a.app)
  const perIp = await failedSignIns([a, b, a, b], user.email, nextIp())
  t.same(
    perIp.map((r) => r.statusCode),
    [401, 401, 401, 429],
    'one address: Better Auth’s 3 sign-ins per 10 s hold across both',
  )
  const other = await signUp(a.app)
  const perAccount = await failedSignIns([a, b, a, b, a, b], other.email)
  t.same(
    perAccount.map((r) => r.statusCode),
    [401, 401, 401, 401, 401, 429],
    'one account from six addresses: its 5 failures hold across both',
  )
  t.equal(perAccount.at(-1)?.json().code, 'TOO_MANY_ATTEMPTS')
  t.equal((await signIn(b.app, other)).statusCode, 429, 'the right password waits too, on either instance')
})

// Only the per-account count can show the control in one process: Better
// Auth keeps its in-memory rate limits in one map per module, which two
// instances in one process share (two processes would not).
t.test('the control: without REDIS_URL each instance counts an account’s failures alone', async (t) => {
  const { a, b } = await pair(t, {})
  const user = await signUp(a.app)
  const perAccount = await failedSignIns([a, b, a, b, a, b], user.email)
  t.same(
    perAccount.map((r) => r.statusCode),
    [401, 401, 401, 401, 401, 401],
    'one account: six pass',
  )
})

t.test('Redis stops and returns: both serve alone, log it once, then resync', async (t) => {
  const { a, b, logs } = await pair(t, { REDIS_URL: redis.url })
  const user = await signUp(a.app)
  await cachedOn(t, b, user.cookie, 'before the outage')
  await redis.stop()
  t.ok(
    await until(() => a.app.redis?.state() === 'down' && b.app.redis?.state() === 'down', 5000),
    'both see it',
  )
  const ready = await b.app.inject('/readyz')
  t.equal(ready.statusCode, 200, 'B stays ready')
  t.same(ready.json(), { status: 'ready', database: 'up', redis: 'down' }, 'and says Redis is down')

  // Alone: sign-in and sign-out work on A, B serves from its cache (TTL-bounded).
  const second = await signUp(a.app)
  await b.app.inject({ url: '/api/during', headers: { cookie: second.cookie } })
  t.equal(
    b.api.last().headers['x-user-email'],
    second.email,
    'a session made on A during the outage works on B',
  )
  const started = performance.now()
  t.equal(await postAs(a.app, user.cookie, '/api/auth/sign-out'), 200, 'sign-out on A still answers')
  t.ok(performance.now() - started < 2000, 'without waiting on Redis')
  t.ok((a.app.revocationChannel?.stats.unpublished ?? 0) > 0, 'A counts what it could not tell')
  t.equal((await scrape(a)).get('gateway_redis_up'), 0, '/metrics: Redis down')
  await b.app.inject({ url: '/api/during', headers: { cookie: user.cookie } })
  t.ok(b.api.last().headers['x-user-id'], 'B, not told, still trusts its cache: the outage’s cost')
  const limited = await failedSignIns([a, a, a, a], second.email, nextIp())
  t.same(
    limited.map((r) => r.statusCode),
    [401, 401, 401, 429],
    'limits fall back to each instance’s own count, never to an error',
  )
  await sleep(500) // the reconnect attempts fail again and again: still one line each
  for (const [name, lines] of Object.entries(logs)) {
    const outage = lines.filter((l) => l.msg.startsWith('redis unreachable'))
    t.equal(outage.length, 1, `${name} logged the outage once`)
  }

  await redis.start()
  t.ok(await until(() => subscribed(a, 2), 10_000), 'both reconnect and subscribe again by themselves')
  await sleep(20)
  await b.app.inject({ url: '/api/after', headers: { cookie: user.cookie } })
  t.notOk(b.api.last().headers['x-user-id'], 'B forgot what it cached: the revocation it missed holds now')
  for (const [name, lines] of Object.entries(logs))
    t.equal(lines.filter((l) => l.msg === 'redis reachable again').length, 1, `${name} logged the return`)

  await cachedOn(t, b, second.cookie, 'after the outage')
  const evictions = b.app.sessionCache.stats.evictions
  t.equal(await postAs(a.app, second.cookie, '/api/auth/sign-out'), 200)
  t.ok(await until(() => b.app.sessionCache.stats.evictions > evictions, 1000), 'revocations flow again')
  t.same((await b.app.inject('/readyz')).json(), { status: 'ready', database: 'up', redis: 'up' })
})

t.test('an instance that starts while Redis is down serves, then joins when it returns', async (t) => {
  await redis.stop()
  const { lines, fastify } = logCapture()
  const c = await buildHarness(t, { db, env: { ...LONG_TTL, REDIS_URL: redis.url }, fastify })
  const user = await signUp(c.app)
  await c.app.inject({ url: '/api/x', headers: { cookie: user.cookie } })
  t.ok(c.api.last().headers['x-user-id'], 'it serves signed-in requests')
  t.ok(
    await until(() => lines.some((l) => l.msg.startsWith('redis unreachable at start')), 5000),
    'and says so',
  )
  await redis.start()
  t.ok(await until(() => c.app.redis?.state() === 'up', 10_000), 'it connects when Redis returns')
})
