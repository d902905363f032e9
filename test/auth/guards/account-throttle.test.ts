import t from 'tap'
import { AccountThrottle } from '../../../src/auth/account-throttle.ts'
import { AUTH_BASE_PATH } from '../../../src/auth/better-auth.ts'
import { accountThrottleGuard } from '../../../src/auth/guards/account-throttle.ts'
import { type AuthCall, readAuthCall } from '../../../src/auth/guards/call.ts'

const SIGN_IN = `${AUTH_BASE_PATH}/sign-in/email`
const EMAIL = 'victim@example.com'

function makeThrottle() {
  const clock = { now: 1_000_000 }
  const throttle = new AccountThrottle({
    maxFailures: 2,
    windowMs: 60_000,
    maxEntries: 10,
    now: () => clock.now,
  })
  return { throttle, clock }
}

function call(path: string, body: unknown): Promise<AuthCall> {
  return readAuthCall(
    new Request(`http://gw.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
}

/** A `next` that answers `status` and counts its calls. */
function answering(status: number) {
  const next = async (_call: AuthCall) => {
    next.calls++
    return new Response(JSON.stringify({ status }), { status })
  }
  next.calls = 0
  return next
}

t.test('a locked account is answered 429 with Retry-After, and Better Auth is not called', async (t) => {
  const { throttle, clock } = makeThrottle()
  throttle.recordFailure(EMAIL)
  throttle.recordFailure(EMAIL)
  clock.now += 15_500
  const next = answering(200)
  const res = await accountThrottleGuard(throttle)(
    await call(SIGN_IN, { email: EMAIL, password: 'pw' }),
    next,
  )
  t.equal(res.status, 429)
  t.equal(res.headers.get('retry-after'), '45', 'seconds left in the window, rounded up')
  t.equal(res.headers.get('content-type'), 'application/json')
  t.same(await res.json(), {
    code: 'TOO_MANY_ATTEMPTS',
    message: 'Too many failed sign-ins for this account; try again later',
  })
  t.equal(next.calls, 0, 'next is never called')

  const spelling = await call(SIGN_IN, { email: ' Victim@EXAMPLE.com', password: 'pw' })
  t.equal(
    (await accountThrottleGuard(throttle)(spelling, next)).status,
    429,
    'other spellings are locked too',
  )
})

t.test("Better Auth's answer is recorded only for 200 and 401", async (t) => {
  const rows: { status: number; recorded: 'success' | 'failure' | 'nothing' }[] = [
    { status: 200, recorded: 'success' },
    { status: 401, recorded: 'failure' },
    { status: 400, recorded: 'nothing' },
    { status: 403, recorded: 'nothing' },
    { status: 429, recorded: 'nothing' },
    { status: 500, recorded: 'nothing' },
    { status: 503, recorded: 'nothing' },
  ]
  for (const row of rows) {
    const { throttle } = makeThrottle()
    throttle.recordFailure(EMAIL)
    const next = answering(row.status)
    const res = await accountThrottleGuard(throttle)(
      await call(SIGN_IN, { email: EMAIL, password: 'pw' }),
      next,
    )
    t.equal(res.status, row.status, `${row.status}: passed on`)
    t.equal(next.calls, 1, `${row.status}: Better Auth called once`)
    const failures = { success: 0, failure: 2, nothing: 1 }[row.recorded]
    t.equal(throttle.size, failures === 0 ? 0 : 1, `${row.status}: ${row.recorded} recorded`)
    t.equal(
      throttle.retryAfter(EMAIL) > 0,
      failures === 2,
      `${row.status}: ${failures === 2 ? 'the second failure locks' : 'not locked'}`,
    )
  }
})

t.test("next's answer is returned as the very same object", async (t) => {
  const { throttle } = makeThrottle()
  const answer = new Response(null, { status: 401 })
  const res = await accountThrottleGuard(throttle)(
    await call(SIGN_IN, { email: EMAIL, password: 'pw' }),
    async () => answer,
  )
  t.equal(res, answer)
})

t.test('only an email sign-in is throttled or counted', async (t) => {
  const rows: { name: string; path: string; body: unknown }[] = [
    { name: 'sign-up with the same email', path: `${AUTH_BASE_PATH}/sign-up/email`, body: { email: EMAIL } },
    { name: 'change-password', path: `${AUTH_BASE_PATH}/change-password`, body: { email: EMAIL } },
    { name: 'a path outside the base path', path: '/sign-in/email', body: { email: EMAIL } },
    { name: 'sign-in without an email', path: SIGN_IN, body: { password: 'pw' } },
    { name: 'sign-in with a non-string email', path: SIGN_IN, body: { email: [EMAIL] } },
    { name: 'sign-in with a JSON array body', path: SIGN_IN, body: [{ email: EMAIL }] },
  ]
  for (const row of rows) {
    const locked = makeThrottle().throttle
    for (let i = 0; i < 2; i++) locked.recordFailure(EMAIL)
    const next = answering(401)
    const res = await accountThrottleGuard(locked)(await call(row.path, row.body), next)
    t.equal(res.status, 401, `${row.name}: not blocked by the lock`)
    t.equal(next.calls, 1, `${row.name}: passed on`)

    const fresh = makeThrottle().throttle
    await accountThrottleGuard(fresh)(await call(row.path, row.body), answering(401))
    t.equal(fresh.size, 0, `${row.name}: a 401 records no failure`)
    const failed = makeThrottle().throttle
    failed.recordFailure(EMAIL)
    await accountThrottleGuard(failed)(await call(row.path, row.body), answering(200))
    t.equal(failed.size, 1, `${row.name}: a 200 records no success`)
  }
})
