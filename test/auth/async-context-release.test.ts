import { AsyncLocalStorage } from 'node:async_hooks'
import t from 'tap'
import {
  betterAuthStorages,
  releaseAsyncContextBetweenCalls,
  STORAGE_USES_ASYNC_HOOKS,
} from '../../src/auth/async-context-release.ts'
import { buildHarness, ORIGIN, signIn, signUp } from '../helper.ts'

/** A call that finishes (or fails) when the test says so. */
function pending() {
  let settle: (error?: Error) => void = () => {}
  const done = new Promise<Response>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve(new Response('ok')))
  })
  return { done, settle }
}

function fakeAuth() {
  const calls: ReturnType<typeof pending>[] = []
  // Every call into the fake Better Auth waits until the test settles it.
  const enter = async (_argument: unknown) => {
    const call = pending()
    calls.push(call)
    return call.done
  }
  const getSession = Object.assign(enter, { path: '/get-session' })
  const auth = {
    handler: (request: Request) => enter(request),
    api: { getSession, notAnEndpoint: 42 },
    options: { basePath: '/api/auth' },
  }
  const disabled: string[] = []
  const storages = () => [{ disable: () => disabled.push('storage') }]
  return { auth, calls, disabled, storages }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('storages are disabled only when the last call in flight settles', async (t) => {
  const { auth, calls, disabled, storages } = fakeAuth()
  const released = releaseAsyncContextBetweenCalls(auth, storages, true)
  const first = released.handler(new Request('http://x/'))
  const second = released.api.getSession({})
  await turn()
  t.equal(calls.length, 2, 'both reached Better Auth')
  calls[0]?.settle()
  await first
  t.same(disabled, [], 'one call is still inside: its context must stay')
  calls[1]?.settle()
  await second
  t.same(disabled, ['storage'], 'the last one out turns them off')
})

t.test('a failing call gives its count back and still releases', async (t) => {
  const { auth, calls, disabled, storages } = fakeAuth()
  const released = releaseAsyncContextBetweenCalls(auth, storages, true)
  const failing = released.api.getSession({})
  await turn()
  calls[0]?.settle(new Error('database down'))
  await t.rejects(failing, { message: 'database down' }, 'the error reaches the caller unchanged')
  t.same(disabled, ['storage'])
  const next = released.handler(new Request('http://x/'))
  await turn()
  calls[1]?.settle()
  t.equal(await (await next).text(), 'ok', 'later calls are counted from zero again')
  t.same(disabled, ['storage', 'storage'])
})

t.test('the auth object keeps its other members and its endpoints their properties', async (t) => {
  const { auth, storages } = fakeAuth()
  const released = releaseAsyncContextBetweenCalls(auth, storages, true)
  t.equal(released.options, auth.options, 'options reachable')
  t.equal(released.api.getSession.path, '/get-session', 'endpoint metadata kept')
  t.equal(released.api.notAnEndpoint, 42, 'non-functions pass through')
  t.equal(released.api.getSession, released.api.getSession, 'one wrapper per endpoint')
})

t.test('where storages do not use async_hooks, the auth object is left alone', async (t) => {
  const { auth, storages } = fakeAuth()
  t.equal(releaseAsyncContextBetweenCalls(auth, storages, false), auth)
  // Node 20's AsyncLocalStorage has _enable; Node 24's AsyncContextFrame one does not.
  const major = Number(process.versions.node.split('.')[0])
  if (major < 22) t.ok(STORAGE_USES_ASYNC_HOOKS, `Node ${major}: async_hooks storage`)
  if (major >= 24 && !process.execArgv.includes('--no-async-context-frame'))
    t.notOk(STORAGE_USES_ASYNC_HOOKS, `Node ${major}: AsyncContextFrame storage`)
})

t.test(
  'after real, overlapping Better Auth calls, its storages are off and its context was intact',
  async (t) => {
    const { app } = await buildHarness(t)
    const alice = await signUp(app)
    const bob = await signUp(app)
    const before = await app.inject({ url: '/api/me', headers: { cookie: alice.cookie } })
    t.ok(before.json().headers['x-user-id'], 'Alice is signed in, and her session is now cached')
    // Bob's sign-in (a hash, so slow) overlaps Alice's sign-out: the sign-out
    // settles while the sign-in is inside Better Auth and still needs its context.
    const [signedIn, signedOut] = await Promise.all([
      signIn(app, bob),
      app.inject({
        method: 'POST',
        url: '/api/auth/sign-out',
        headers: { origin: ORIGIN, cookie: alice.cookie },
      }),
    ])
    t.equal(signedIn.statusCode, 200, 'the sign-in kept its context throughout')
    t.equal(signedOut.statusCode, 200)
    const afterSignOut = await app.inject({ url: '/api/me', headers: { cookie: alice.cookie } })
    t.notOk(
      afterSignOut.json().headers['x-user-id'],
      'the sign-out’s database hook evicted her cached session',
    )

    const storages = betterAuthStorages()
    t.ok(storages.length >= 2, `found Better Auth's storages (${storages.length})`)
    t.ok(
      storages.every((s) => s instanceof AsyncLocalStorage),
      'each is an AsyncLocalStorage',
    )
    if (STORAGE_USES_ASYNC_HOOKS) {
      // Node 20's storage records this as an own field; disabled means the
      // process-wide hooks are off too when nothing else enabled one.
      t.same(
        storages.map((s) => (s as unknown as { enabled: boolean }).enabled),
        storages.map(() => false),
        'every storage is disabled between calls',
      )
    }
  },
)
