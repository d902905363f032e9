// WORKERS=2 on Postgres, as an operator runs it: src/server.ts as a real
// primary with two workers sharing one port, reached through that port on
// keep-alive connections each pinned to one worker (the worker's pid is in
// its request log). A session made on one worker works on the other; a
// sign-out on one leaves no identity on the very next request to either,
// though both had it cached for five minutes (SESSION_CACHE_TTL_MS=300000,
// so no expiry explains it), through the primary's IPC and through Redis;
// failed sign-ins spread over both are limited together; a killed worker is
// replaced while the port keeps serving; SIGTERM drains and exits 0.
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { freePort } from '../../scripts/demo/ports.ts'
import { revocationChannelName } from '../../src/session/revocation-channel.ts'
import {
  type Answer,
  type GatewayProcess,
  Pinned,
  pinnedToEachWorker,
  startCluster,
  until,
} from '../fixtures/cluster.ts'
import { startEchoUpstream } from '../fixtures/echo-upstream.ts'
import { parseMetrics, samplesOf, sampleValue } from '../fixtures/prometheus.ts'
import { startRedisServer } from '../fixtures/redis-server.ts'
import { createTestDatabase, driverUnderTest } from '../fixtures/test-database.ts'
import { nextIp, ORIGIN, SECRET } from '../helper.ts'

const METRICS = 'workers-metrics-token-0123456789'
// WORKERS refuses PGlite: the PGlite run of the suite uses Postgres here too;
// the neon run goes through the Neon driver.
const db = await createTestDatabase(driverUnderTest === 'pglite' ? 'pg' : driverUnderTest)
t.teardown(() => db.close())
const api = await startEchoUpstream()
t.teardown(() => api.close())
const redis = await startRedisServer(t)

function clusterEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    WORKERS: '2',
    DATABASE_URL: db.config.url as string,
    DATABASE_DRIVER: db.config.driver,
    ...(db.config.neonWsProxy === undefined ? {} : { NEON_WS_PROXY: db.config.neonWsProxy }),
    BETTER_AUTH_SECRET: SECRET,
    PUBLIC_URL: ORIGIN,
    API_UPSTREAM_URL: api.url,
    SESSION_CACHE_TTL_MS: '300000',
    // The client's address is X-Forwarded-For: each test picks its own.
    TRUST_PROXY: 'true',
    METRICS_TOKEN: METRICS,
    ...extra,
  }
}

/** What the upstream received for the request that carried `answer`'s X-Request-Id. */
function upstreamGot(answer: Answer) {
  const record = api.received.find((r) => r.headers['x-request-id'] === answer.requestId)
  if (record === undefined) throw new Error(`the upstream never saw ${answer.requestId} (${answer.status})`)
  return record.headers
}

const post = (path: string, json: object, headers: Record<string, string> = {}, ip = nextIp()) => ({
  method: 'POST' as const,
  path,
  json,
  headers: { origin: ORIGIN, 'x-forwarded-for': ip, ...headers },
})

async function signUp(on: Pinned) {
  const user = {
    email: `w-${randomUUID()}@example.com`,
    name: 'Worker Test',
    password: 'correct horse battery',
  }
  const res = await on.request(post('/api/auth/sign-up/email', user))
  if (res.status !== 200) throw new Error(`sign-up: ${res.status} ${res.body}`)
  const setCookie = [res.headers['set-cookie']]
    .flat()
    .find((c) => c?.startsWith('better-auth.session_token='))
  return { ...user, cookie: (setCookie as string).split(';')[0] as string }
}

/** A request to the API as the holder of `cookie`, on `on`; the identity the upstream got. */
async function identityOn(on: Pinned, cookie: string) {
  const res = await on.request({ path: '/api/who', headers: { cookie } })
  return { pid: res.pid, userId: upstreamGot(res)['x-user-id'] }
}

/** A worker's session-cache hits, from its own /metrics (each worker counts alone). */
async function cacheHits(on: Pinned): Promise<number> {
  const res = await on.request({ path: '/metrics', headers: { authorization: `Bearer ${METRICS}` } })
  const match = /^gateway_session_cache_hits_total (\d+)/m.exec(res.body)
  return Number(match?.[1] ?? Number.NaN)
}

/** Both workers reached, each on its own connection, and the pids checked on every answer. */
async function workersOf(t: Test, gateway: GatewayProcess) {
  const [a, b] = (await pinnedToEachWorker(t, gateway, 2)) as [Pinned, Pinned]
  const pidA = (await a.request({ path: '/healthz' })).pid
  const pidB = (await b.request({ path: '/healthz' })).pid
  t.not(pidA, pidB, 'two workers answer on one port')
  t.not(pidA, gateway.child.pid, 'not the primary')
  t.ok(
    gateway.lines().some((l) => /^gateway ready on/.test(l.msg) && l.driver === db.config.driver),
    `on the ${db.config.driver} driver`,
  )
  return { a, b, pidA, pidB }
}

async function shared(t: Test, gateway: GatewayProcess) {
  const { a, b, pidA, pidB } = await workersOf(t, gateway)

  await t.test('a session made on one worker works on the other', async (t) => {
    const user = await signUp(a)
    const there = await identityOn(b, user.cookie)
    t.equal(there.pid, pidB, 'asked the other worker')
    t.ok(there.userId, 'it injects the identity')
  })

  await t.test('sign-out on one worker: the very next request on either carries no identity', async (t) => {
    for (const [signOutOn, other] of [
      [a, b],
      [b, a],
      [a, b],
    ] as const) {
      const user = await signUp(a)
      // Both workers cache the session (the second request of each is a hit).
      for (const on of [a, b]) await identityOn(on, user.cookie)
      const hits = await cacheHits(other)
      const cached = await identityOn(other, user.cookie)
      t.ok(cached.userId, 'cached on the other worker')
      t.equal(await cacheHits(other), hits + 1, 'served from its cache')

      const out = await signOutOn.request(post('/api/auth/sign-out', {}, { cookie: user.cookie }))
      t.equal(out.status, 200, 'signed out')
      const next = await identityOn(other, user.cookie)
      t.equal(next.pid, other === a ? pidA : pidB, 'the next request went to the sibling')
      t.notOk(next.userId, 'the sibling injects no identity on the very next request')
      t.notOk((await identityOn(signOutOn, user.cookie)).userId, 'nor does the worker that signed it out')
    }
  })

  await t.test('failed sign-ins spread over both workers are limited together', async (t) => {
    const victim = await signUp(a)
    const ip = nextIp()
    const perIp = []
    for (const on of [a, b, a, b])
      perIp.push(
        await on.request(post('/api/auth/sign-in/email', { email: victim.email, password: 'wrong' }, {}, ip)),
      )
    t.same(
      perIp.map((r) => [r.status, r.pid]),
      [
        [401, pidA],
        [401, pidB],
        [401, pidA],
        [429, pidB],
      ],
      'one address: Better Auth’s 3 sign-ins per 10 s hold across both workers',
    )
    const other = await signUp(b)
    const perAccount = []
    for (const on of [a, b, a, b, a, b])
      perAccount.push(
        await on.request(post('/api/auth/sign-in/email', { email: other.email, password: 'wrong' })),
      )
    t.same(
      perAccount.map((r) => r.status),
      [401, 401, 401, 401, 401, 429],
      'one account from six addresses: its 5 failures hold across both workers',
    )
    t.equal(JSON.parse(perAccount[5]?.body ?? '{}').code, 'TOO_MANY_ATTEMPTS', 'the account’s own refusal')
    const right = await a.request(
      post('/api/auth/sign-in/email', { email: other.email, password: other.password }),
    )
    t.equal(right.status, 429, 'the right password waits too, on the other worker')
  })
  return { a, b, pidA, pidB }
}

t.test('WORKERS=2 without Redis: the primary carries revocations and limits', async (t) => {
  const metricsPort = await freePort()
  const gateway = await startCluster(t, clusterEnv({ METRICS_PORT: String(metricsPort) }))
  const { a, b, pidA, pidB } = await shared(t, gateway)

  await t.test('/metrics answers for the whole instance, on the main port and on METRICS_PORT', async (t) => {
    const health = { group: 'health', method: 'GET', status_class: '2xx' }
    const viaToken = async (on: Pinned) => {
      const res = await on.request({ path: '/metrics', headers: { authorization: `Bearer ${METRICS}` } })
      t.equal(res.status, 200, `the token scrape on worker ${res.pid}`)
      return parseMetrics(res.body)
    }
    const viaPort = async () => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      t.equal(res.status, 200, 'METRICS_PORT, served by the primary')
      return parseMetrics(await res.text())
    }
    const before = sampleValue(await viaToken(a), 'gateway_http_requests_total', health)
    for (const on of [a, b, a, b, a]) await on.request({ path: '/healthz' })
    for (const [how, families] of [
      ['main port, worker A', await viaToken(a)],
      ['main port, worker B', await viaToken(b)],
      ['METRICS_PORT', await viaPort()],
    ] as const) {
      t.equal(
        sampleValue(families, 'gateway_http_requests_total', health) - before,
        5,
        `${how}: three /healthz on one worker and two on the other add up`,
      )
      t.equal(samplesOf(families, 'nodejs_eventloop_lag_seconds').length, 1, `${how}: one lag, averaged`)
    }
    const port = await fetch(`http://127.0.0.1:${metricsPort}/other`)
    t.equal(port.status, 404, 'METRICS_PORT serves /metrics only')
  })

  await t.test('a killed worker is replaced, and the port keeps serving meanwhile', async (t) => {
    const session = await signUp(a)
    process.kill(pidA, 'SIGKILL')
    // A connection handed to the worker in the instant it died is lost with
    // it (docs/operations.md); from the moment the primary knows, none is.
    t.ok(
      await until(
        () => gateway.lines().some((l) => l.msg === 'worker died unexpectedly; replacing it'),
        5000,
      ),
      'the primary saw it die',
    )
    const statuses: number[] = []
    const pids = new Set<number>()
    const replaced = until(
      () => gateway.lines().some((l) => l.msg === 'worker started' && l.worker !== pidA && l.worker !== pidB),
      10_000,
    )
    // Fresh connections while the worker is gone and after it is back.
    for (let i = 0; i < 12; i++) {
      const fresh = new Pinned(gateway)
      const res = await fresh.request({ path: '/api/alive', headers: { cookie: session.cookie } })
      statuses.push(res.status)
      pids.add(res.pid)
      if (res.status === 200) t.ok(upstreamGot(res)['x-user-id'], 'with the session, whichever worker')
      await fresh.close()
      if (i === 6) await replaced
    }
    t.ok(await replaced, 'the primary started a replacement')
    t.ok(
      statuses.every((s) => s === 200),
      `every request answered 200 (${statuses.join(' ')})`,
    )
    t.notOk(pids.has(pidA), 'none by the dead worker')
    const death = gateway.lines().find((l) => l.msg === 'worker died unexpectedly; replacing it')
    t.match(death, { worker: pidA, signal: 'SIGKILL' }, 'logged with its pid and signal')
    t.ok(
      await until(() => gateway.lines().filter((l) => /Server listening/.test(l.msg)).length >= 3, 10_000),
      'the replacement listens',
    )
    const [, replacement] = await pinnedToEachWorker(t, gateway, 2)
    const anyUser = await signUp(replacement as Pinned)
    t.ok(anyUser.cookie, 'and serves sign-ups')
  })

  await t.test('SIGTERM: every worker drains its in-flight request, then the primary exits 0', async (t) => {
    const workers = await pinnedToEachWorker(t, gateway, 2)
    const inFlight = workers.map((w) => w.request({ path: '/api/__slow' }))
    await until(() => api.received.filter((r) => r.url === '/api/__slow').length >= 2, 2000)
    gateway.child.kill('SIGTERM')
    const answers = await Promise.all(inFlight)
    t.same(
      answers.map((r) => r.status),
      [200, 200],
      'both slow requests completed',
    )
    t.equal(await gateway.exited(), 0, 'clean exit')
    const drained = gateway.lines().filter((l) => l.msg === 'shutting down: draining in-flight requests')
    t.equal(new Set(drained.map((l) => l.pid)).size, 2, 'both workers drained')
    t.notMatch(gateway.output(), /session_token=[A-Za-z0-9]|"password"/, 'no credentials in the logs')
  })
})

t.test('WORKERS=2 with REDIS_URL: every worker is one more instance on Redis', async (t) => {
  const gateway = await startCluster(t, clusterEnv({ REDIS_URL: redis.url }))
  const { a } = await shared(t, gateway)
  const ready = await a.request({ path: '/readyz' })
  t.same(JSON.parse(ready.body), { status: 'ready', database: 'up', redis: 'up' }, '/readyz names Redis')
  // What Redis itself says: both workers subscribed, and the limits counted there.
  const client = new Redis(redis.url)
  t.teardown(() => client.disconnect())
  const [, subscribers] = (await client.pubsub('NUMSUB', revocationChannelName(ORIGIN))) as [string, number]
  t.equal(Number(subscribers), 2, 'both workers subscribed to the revocation channel')
  t.ok(
    (await client.keys(`auth-gateway:${ORIGIN}:sign-in-failures:*`)).length > 0,
    'account failures in Redis',
  )
  gateway.child.kill('SIGTERM')
  t.equal(await gateway.exited(), 0, 'clean exit')
})
