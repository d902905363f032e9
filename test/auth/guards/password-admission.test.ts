import t from 'tap'
import { AUTH_BASE_PATH, CLIENT_IP_HEADER } from '../../../src/auth/better-auth.ts'
import { type AuthCall, readAuthCall } from '../../../src/auth/guards/call.ts'
import { HASHING_PATHS, passwordAdmissionGuard } from '../../../src/auth/guards/password-admission.ts'
import { PasswordAdmission } from '../../../src/auth/password/admission.ts'

const SIGN_IN = `${AUTH_BASE_PATH}/sign-in/email`

function call(path: string, clientIp = '192.0.2.1', clientGone?: AbortSignal): Promise<AuthCall> {
  return readAuthCall(
    new Request(`http://gw.test${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CLIENT_IP_HEADER]: clientIp },
      body: '{}',
    }),
    clientGone,
  )
}

/** A `next` that stays inside Better Auth until `finish()`; `started` counts its calls. */
function held() {
  let finish = () => {}
  const done = new Promise<Response>((resolve) => {
    finish = () => resolve(new Response('ok'))
  })
  const state = {
    started: 0,
    next: (_call: AuthCall) => {
      state.started++
      return done
    },
    finish: () => finish(),
  }
  return state
}

t.test('the hashing endpoints are the six that run scrypt, under the one base path', async (t) => {
  t.same([...HASHING_PATHS].sort(), [
    '/api/auth/change-password',
    '/api/auth/delete-user',
    '/api/auth/reset-password',
    '/api/auth/sign-in/email',
    '/api/auth/sign-up/email',
    '/api/auth/verify-password',
  ])
})

t.test('a hashing endpoint holds a place while Better Auth works', async (t) => {
  for (const path of HASHING_PATHS) {
    const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 1, maxPerClient: 3 })
    const inside = held()
    const answer = passwordAdmissionGuard(admission)(await call(path), inside.next)
    await new Promise(setImmediate)
    t.same(admission.depth, { inside: 1, waiting: 0 }, `${path}: admitted`)
    inside.finish()
    t.equal(await (await answer).text(), 'ok', `${path}: Better Auth's answer`)
    t.same(admission.depth, { inside: 0, waiting: 0 }, `${path}: the place is given back`)
  }
})

t.test('other endpoints never wait for a place', async (t) => {
  const paths = [
    `${AUTH_BASE_PATH}/get-session`,
    `${AUTH_BASE_PATH}/sign-out`,
    `${AUTH_BASE_PATH}/list-sessions`,
    `${AUTH_BASE_PATH}/sign-in/email/`,
    '/sign-in/email',
  ]
  for (const path of paths) {
    // No client may hold a place: anything that asked for one would be refused.
    const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 0, maxPerClient: 0 })
    const answer = new Response('ok')
    const res = await passwordAdmissionGuard(admission)(await call(path), async () => answer)
    t.equal(res, answer, `${path}: passed straight to Better Auth`)
    t.same(
      admission.stats,
      { refusedBusy: 0, refusedClient: 0, abandoned: 0 },
      `${path}: admission untouched`,
    )
  }
})

t.test('refusals: each reason maps to its answer', async (t) => {
  await t.test('busy: the queue is full → AuthBusy (503) is thrown', async (t) => {
    const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 0, maxPerClient: 3 })
    const guard = passwordAdmissionGuard(admission)
    const inside = held()
    const first = guard(await call(SIGN_IN, '192.0.2.1'), inside.next)
    await t.rejects(guard(await call(SIGN_IN, '192.0.2.2'), inside.next), {
      code: 'GW_AUTH_BUSY',
      statusCode: 503,
    })
    t.equal(inside.started, 1, 'the refused call never reached Better Auth')
    inside.finish()
    await first
  })

  await t.test('gone: the client left → ClientGone (499) is thrown', async (t) => {
    const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 5, maxPerClient: 3 })
    const inside = held()
    await t.rejects(
      passwordAdmissionGuard(admission)(await call(SIGN_IN, '192.0.2.1', AbortSignal.abort()), inside.next),
      {
        code: 'GW_CLIENT_GONE',
        statusCode: 499,
      },
    )
    t.equal(inside.started, 0)

    const guard = passwordAdmissionGuard(admission)
    const first = guard(await call(SIGN_IN, '192.0.2.1'), inside.next)
    const leaving = new AbortController()
    const waiting = guard(await call(SIGN_IN, '192.0.2.2', leaving.signal), inside.next)
    await new Promise(setImmediate)
    t.same(admission.depth, { inside: 1, waiting: 1 })
    leaving.abort()
    await t.rejects(waiting, { code: 'GW_CLIENT_GONE' }, 'a waiting call whose client leaves')
    inside.finish()
    await first
    t.equal(inside.started, 1, 'only the first call reached Better Auth')
  })

  await t.test('client: the address holds its share → 429 TOO_MANY_CONCURRENT, Retry-After 2', async (t) => {
    const admission = new PasswordAdmission({ concurrency: 1, maxQueued: 5, maxPerClient: 1 })
    const guard = passwordAdmissionGuard(admission)
    const inside = held()
    const first = guard(await call(SIGN_IN, '192.0.2.1'), inside.next)
    const res = await guard(await call(SIGN_IN, '192.0.2.1'), inside.next)
    t.equal(res.status, 429)
    t.equal(res.headers.get('retry-after'), '2')
    t.equal(res.headers.get('content-type'), 'application/json')
    t.same(await res.json(), {
      code: 'TOO_MANY_CONCURRENT',
      message: 'Too many password requests from this address at once; try again shortly',
    })
    t.equal(inside.started, 1, 'the refused call never reached Better Auth')

    const other = guard(await call(SIGN_IN, '192.0.2.99'), inside.next)
    await new Promise(setImmediate)
    t.same(admission.depth.waiting, 1, 'another address still gets a place in line')
    inside.finish()
    await Promise.all([first, other])
  })
})
