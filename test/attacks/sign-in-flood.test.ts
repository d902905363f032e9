// A burst of password requests. Each one costs ~100 ms of scrypt and several
// ms of the event loop's time; src/auth/password/admission.ts (applied by
// src/auth/guards/password-admission.ts) lets only a few into Better Auth at
// once, caps how many places one address may hold, and refuses (503) rather
// than queueing without limit. Refusals are cheap, clear, and change nothing:
// no session, no failed-attempt count.
import { connect } from 'node:net'
import { count } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import type { Database } from '../../db/client.ts'
import { session } from '../../db/schema.ts'
import { AccountThrottle } from '../../src/auth/account-throttle.ts'
import { CLIENT_IP_HEADER } from '../../src/auth/better-auth.ts'
import { createGuardedAuthHandler } from '../../src/auth/guarded-handler.ts'
import { PasswordAdmission } from '../../src/auth/password/admission.ts'
import { sampleValue, scrape, seriesOf } from '../fixtures/prometheus.ts'
import { buildHarness, fileDatabase, listen, nextIp, ORIGIN, signIn, signUp } from '../helper.ts'

const ASVS_DOS = 'OWASP ASVS 4.0.3 V11.1.4 (anti-automation: excessive calls)'
const FORM = 'application/x-www-form-urlencoded'

const db = await fileDatabase(t)

t.test(`four sign-ins at once from one address: the fourth is refused at once [${ASVS_DOS}]`, async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  const ip = nextIp()
  const sessionsBefore = await countSessions(database)
  const responses = await together(4, () => signIn(app, user, ip))
  const refused = responses.filter((r) => r.statusCode === 429)
  t.equal(refused.length, 1, 'one refusal')
  t.same(
    responses.filter((r) => r.statusCode === 200).length,
    3,
    'the three that fit (two inside, one waiting) sign in',
  )
  const answer = refused[0] as LightMyRequestResponse
  t.equal(answer.json().code, 'TOO_MANY_CONCURRENT')
  t.equal(answer.headers['retry-after'], '2', 'standard Retry-After')
  t.notOk(answer.headers['set-cookie'], 'no session issued')
  t.equal(await countSessions(database), sessionsBefore + 3, 'exactly three sessions were created')
  t.same(app.passwordAdmission.depth, { inside: 0, waiting: 0 }, 'every place was given back')
})

t.test('the sign-in form gets the same refusal, as a page', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const ip = nextIp()
  const responses = await together(4, () =>
    app.inject({
      method: 'POST',
      url: '/auth/sign-in',
      headers: { origin: ORIGIN, 'content-type': FORM },
      remoteAddress: ip,
      payload: new URLSearchParams({ email: user.email, password: user.password }).toString(),
    }),
  )
  t.same(
    responses.map((r) => r.statusCode).sort(),
    [303, 303, 303, 429],
    'three redirects after sign-in, one refusal',
  )
  const page = responses.find((r) => r.statusCode === 429) as LightMyRequestResponse
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /Too many requests from your network at once\. Try again in 2 seconds\./)
  t.equal(page.headers['retry-after'], '2')
})

t.test('refusals do not count as failed sign-ins for the account', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const ip = nextIp()
  const burst = await together(6, () => signIn(app, { ...user, password: 'not the right password' }, ip))
  t.same(burst.map((r) => r.statusCode).sort(), [401, 401, 401, 429, 429, 429], 'three judged, three refused')
  const right = await signIn(app, user)
  t.equal(right.statusCode, 200, 'three failures, not six: the account is not locked')
})

t.test(
  'with the queue full, a password request is refused as busy (503) without touching Better Auth',
  async (t) => {
    const { app, database } = await buildHarness(t, { db })
    const user = await signUp(app)
    // The gateway's own admission holds 64 waiting; a small one shows the same
    // path without 66 real hashes.
    const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 0, maxPerClient: 3 })
    const handler = createGuardedAuthHandler(app.auth, new AccountThrottle(), admission, {
      cookieName: 'better-auth.session_token',
      publicUrl: ORIGIN,
    })
    const request = () =>
      new Request(`${ORIGIN}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json', [CLIENT_IP_HEADER]: nextIp() },
        body: JSON.stringify({ email: user.email, password: user.password }),
      })
    const sessionsBefore = await countSessions(database)
    const first = handler(request())
    await t.rejects(handler(request()), { code: 'GW_AUTH_BUSY', statusCode: 503 }, 'the second is refused')
    t.equal((await first).status, 200, 'the admitted one signs in')
    t.equal(await countSessions(database), sessionsBefore + 1, 'the refused one created nothing')
    t.equal(admission.stats.refusedBusy, 1)

    const signOut = await handler(
      new Request(`${ORIGIN}/api/auth/sign-out`, {
        method: 'POST',
        headers: { origin: ORIGIN, cookie: user.cookie, [CLIENT_IP_HEADER]: nextIp() },
      }),
    )
    t.equal(signOut.status, 200, 'requests that hash nothing never wait for a place')
  },
)

t.test('a sign-in whose client hangs up while it waits is dropped, not hashed', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const user = await signUp(app)
  const port = await listen(app)
  const sessionsBefore = await countSessions(database)
  const body = JSON.stringify({ email: user.email, password: user.password })
  const signInOverHttp = () =>
    fetch(`http://127.0.0.1:${port}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body,
    })
  // Two sign-ins take both places inside Better Auth; a third, on a socket
  // this test controls, waits in line, and then its client hangs up.
  const inside = [signInOverHttp(), signInOverHttp()]
  await until(() => app.passwordAdmission.depth.inside === 2)
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(
    `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: localhost\r\nOrigin: ${ORIGIN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  await until(() => app.passwordAdmission.depth.waiting === 1)
  socket.destroy()
  await until(() => app.passwordAdmission.stats.abandoned === 1)
  t.same(app.passwordAdmission.depth.waiting, 0, 'it left the line at once')

  t.same(
    (await Promise.all(inside)).map((r) => r.status),
    [200, 200],
    'the two inside are unaffected',
  )
  t.equal(await countSessions(database), sessionsBefore + 2, 'no session for the client that left')
  t.same(app.passwordAdmission.depth, { inside: 0, waiting: 0 })
})

t.test('/metrics counts the refusals', async (t) => {
  const token = 'metrics-token-0123456789abcdef'
  const { app } = await buildHarness(t, { db, env: { METRICS_TOKEN: token } })
  const user = await signUp(app)
  const ip = nextIp()
  const responses = await together(4, () => signIn(app, user, ip))
  t.same(responses.map((r) => r.statusCode).sort(), [200, 200, 200, 429])
  const metrics = await scrape(app, token)
  t.equal(sampleValue(metrics, 'gateway_password_requests_waiting'), 0, 'nothing left waiting')
  t.same(
    seriesOf(metrics, 'gateway_password_requests_refused_total'),
    { 'reason=busy': 0, 'reason=client': 1 },
    'the one refusal is counted, as one address holding too many places',
  )
  t.equal(sampleValue(metrics, 'gateway_password_requests_throttled_total'), 1, 'and as a throttled request')
  t.equal(sampleValue(metrics, 'gateway_sign_ins_total', { outcome: 'throttled' }), 1)
  t.equal(sampleValue(metrics, 'gateway_sign_ins_total', { outcome: 'success' }), 3)
})

async function countSessions(database: Database): Promise<number> {
  const [row] = await database.db.select({ n: count() }).from(session)
  return row?.n ?? 0
}

/** `count` calls of `attempt`, all in flight at once. */
function together<T>(count: number, attempt: () => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, attempt))
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
