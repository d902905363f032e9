// A restart keeps accounts and sessions: close the app and its database
// handle, open new ones on the same storage, and the old cookie still works.
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { startEchoUpstream } from '../fixtures/echo-upstream.ts'
import { fileDatabase, nextIp, ORIGIN, sessionCookie, testConfig } from '../helper.ts'

t.test('accounts and sessions survive a restart', async (t) => {
  const db = await fileDatabase(t)
  const api = await startEchoUpstream()
  t.teardown(() => api.close())
  const config = testConfig({ API_UPSTREAM_URL: api.url }, db)

  const first = await db.open()
  const before = await buildApp(config, { database: first })
  const signUp = await before.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: { name: 'Persistent', email: 'persist@example.com', password: 'long enough password' },
  })
  const cookie = sessionCookie(signUp)
  await before.close()
  await first.close()

  const second = await db.open()
  const after = await buildApp(config, { database: second })
  t.teardown(() => after.close())
  const session = await after.inject({ url: '/api/auth/get-session', headers: { cookie } })
  t.equal(session.json()?.user?.email, 'persist@example.com', 'the session is still valid')
  await after.inject({ url: '/api/me', headers: { cookie } })
  t.ok(api.last().headers['x-user-id'], 'and still carries identity through the proxy')
  const signIn = await after.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: { email: 'persist@example.com', password: 'long enough password' },
  })
  t.equal(signIn.statusCode, 200, 'the account is still there')
})

t.test('migrations are idempotent', async (t) => {
  const db = await fileDatabase(t)
  const handle = await db.open()
  await handle.migrate()
  await handle.migrate()
  t.pass('applying twice is a no-op')
})
