// /verify as nginx auth_request, Caddy forward_auth and Traefik ForwardAuth call it.
import t from 'tap'
import { createTestDatabase } from '../fixtures/test-database.ts'
import { buildHarness, fileDatabase, signUp } from '../helper.ts'

const db = await fileDatabase(t)

t.test('200 with the identity headers for a valid session, 401 otherwise', async (t) => {
  const { app, database } = await buildHarness(t, { db })
  const user = await signUp(app, { name: 'Zoë' })
  for (const method of ['GET', 'HEAD', 'POST'] as const) {
    const ok = await app.inject({
      method,
      url: '/verify',
      headers: { cookie: user.cookie, 'x-user-id': 'forged' },
    })
    t.equal(ok.statusCode, 200, `${method} signed in`)
    t.match(ok.headers['x-user-id'], /^[A-Za-z0-9]+$/)
    t.not(ok.headers['x-user-id'], 'forged', 'a client header never becomes the answer')
    t.equal(ok.headers['x-user-email'], user.email)
    t.equal(ok.headers['x-user-name'], 'Zo%C3%AB')
    t.match(ok.headers['x-user-assertion'], /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, 'and the assertion')
    t.equal(ok.headers['cache-control'], 'no-store')
  }
  const before = database.queryCount()
  for (let i = 0; i < 20; i++) await app.inject({ url: '/verify', headers: { cookie: user.cookie } })
  t.equal(database.queryCount() - before, 0, 'hot: no query')

  for (const [name, headers] of [
    ['no cookie', {}],
    ['forged cookie', { cookie: 'better-auth.session_token=forged.sig' }],
    ['identity headers without a cookie', { 'x-user-id': 'admin', 'remote-user': 'admin' }],
  ] as const) {
    const res = await app.inject({ url: '/verify', headers })
    t.equal(res.statusCode, 401, name)
    t.notOk(res.headers['x-user-id'], `${name}: no identity in the answer`)
    t.notOk(res.headers['x-user-assertion'], `${name}: no assertion in the answer`)
  }
})

t.test('503 when the session cannot be validated', async (t) => {
  const own = await createTestDatabase()
  t.teardown(() => own.close())
  const { app } = await buildHarness(t, { db: own })
  const user = await signUp(app)
  app.sessionCache.clear()
  own.cut()
  const res = await app.inject({ url: '/verify', headers: { cookie: user.cookie } })
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '5')
})
