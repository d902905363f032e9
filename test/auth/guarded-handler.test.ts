// The chain as a whole, in front of a stand-in for Better Auth's handler:
// these rows pin the order of the guards (guarded-handler.ts says why each
// sits where it does). Each guard's own rules are tested in guards/.
import t from 'tap'
import { AccountThrottle } from '../../src/auth/account-throttle.ts'
import { AUTH_BASE_PATH, type Auth, CLIENT_IP_HEADER } from '../../src/auth/better-auth.ts'
import { createGuardedAuthHandler } from '../../src/auth/guarded-handler.ts'
import { PasswordAdmission } from '../../src/auth/password/admission.ts'

const SIGN_IN = `http://gw.test${AUTH_BASE_PATH}/sign-in/email`
const EMAIL = 'victim@example.com'

/** A stand-in for Better Auth that records what it was handed and answers `answer()`. */
function betterAuth(answer: () => Response | Promise<Response>) {
  const received: Request[] = []
  const auth = {
    handler: async (request: Request) => {
      received.push(request)
      return answer()
    },
  }
  return { auth: auth as unknown as Auth, received }
}

function setup(
  answer: () => Response | Promise<Response>,
  admissionOptions = { concurrency: 2, maxQueued: 4, maxPerClient: 3 },
) {
  const { auth, received } = betterAuth(answer)
  const throttle = new AccountThrottle({ maxFailures: 2, windowMs: 60_000, maxEntries: 10 })
  const admission = new PasswordAdmission(admissionOptions)
  const cookies = { cookieName: 'better-auth.session_token', publicUrl: 'http://localhost:3001' }
  return {
    handler: createGuardedAuthHandler(auth, throttle, admission, cookies),
    received,
    throttle,
    admission,
  }
}

const signIn = (body: Record<string, unknown>, query = '') =>
  new Request(`${SIGN_IN}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CLIENT_IP_HEADER]: '192.0.2.1' },
    body: JSON.stringify({ email: EMAIL, password: 'pw', ...body }),
  })

t.test('a sign-in through every guard: safe targets in, no token out, the result recorded', async (t) => {
  const { handler, received, throttle } = setup(() =>
    Response.json({ redirect: true, token: 'raw', url: '/', user: { id: 'u1' } }),
  )
  throttle.recordFailure(EMAIL)
  const res = await handler(
    signIn({ callbackURL: '//evil.example' }, '?errorCallbackURL=https://evil.example'),
  )
  t.equal(received.length, 1)
  const seen = received[0] as Request
  t.equal(new URL(seen.url).searchParams.get('errorCallbackURL'), '/', 'Better Auth sees a safe query')
  t.same(await seen.json(), { email: EMAIL, password: 'pw', callbackURL: '/' }, 'and a safe body')
  t.equal(res.status, 200)
  t.same(await res.json(), { redirect: true, url: '/', user: { id: 'u1' } }, 'the token is removed')
  t.equal(throttle.size, 0, 'the success cleared the failure')
})

t.test('a locked account is refused before it takes a place in the queue', async (t) => {
  // No address may hold a place: a call that asked the admission would be refused by it.
  const { handler, received, throttle, admission } = setup(() => new Response('never'), {
    concurrency: 1,
    maxQueued: 0,
    maxPerClient: 0,
  })
  throttle.recordFailure(EMAIL)
  throttle.recordFailure(EMAIL)
  const res = await handler(signIn({}))
  t.equal(res.status, 429)
  t.equal((await res.json()).code, 'TOO_MANY_ATTEMPTS', "the throttle's answer, not the admission's")
  t.match(res.headers.get('retry-after'), /^\d+$/, 'its own Retry-After is kept')
  t.same(admission.stats, { refusedBusy: 0, refusedClient: 0, abandoned: 0 }, 'the admission was never asked')
  t.equal(received.length, 0)
})

t.test('an admission refusal counts as no failed sign-in', async (t) => {
  const { handler, received, throttle } = setup(() => new Response('never'), {
    concurrency: 1,
    maxQueued: 0,
    maxPerClient: 0,
  })
  const res = await handler(signIn({}))
  t.equal(res.status, 429)
  t.equal((await res.json()).code, 'TOO_MANY_CONCURRENT')
  t.equal(res.headers.get('retry-after'), '2', "the admission's Retry-After, not the default")
  t.equal(throttle.size, 0, 'nothing recorded')
  t.equal(received.length, 0)
})

t.test('a busy queue rejects with AuthBusy, counting nothing', async (t) => {
  let release = (_: Response) => {}
  const { handler, received, throttle } = setup(
    () =>
      new Promise<Response>((resolve) => {
        release = resolve
      }),
    { concurrency: 1, maxQueued: 0, maxPerClient: 3 },
  )
  const first = handler(signIn({}))
  await new Promise(setImmediate)
  await t.rejects(handler(signIn({})), { code: 'GW_AUTH_BUSY', statusCode: 503 })
  release(new Response(null, { status: 401 }))
  t.equal((await first).status, 401)
  t.equal(received.length, 1, 'only the admitted call reached Better Auth')
  t.equal(throttle.size, 1, 'only its failure is counted')
})

t.test("Better Auth's own 429 gets Retry-After and counts as no failure", async (t) => {
  const { handler, throttle } = setup(
    () => new Response('{}', { status: 429, headers: { 'x-retry-after': '8' } }),
  )
  const res = await handler(signIn({}))
  t.equal(res.status, 429)
  t.equal(res.headers.get('retry-after'), '8')
  t.equal(throttle.size, 0)
})

t.test('a call no guard has anything to do with reaches Better Auth as it came', async (t) => {
  const answer = new Response('{"success":true}')
  const { handler, received } = setup(() => answer)
  const request = new Request(`http://gw.test${AUTH_BASE_PATH}/sign-out`, { method: 'POST' })
  const res = await handler(request)
  t.equal(received[0], request, 'the very same request')
  t.equal(res, answer, 'and the very same answer')
})
