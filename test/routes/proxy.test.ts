import t from 'tap'
import { buildHarness, ORIGIN, received, signUp } from '../helper.ts'

t.test('identity reaches the upstream only with a valid session', async (t) => {
  const { app, api } = await buildHarness(t, { env: { AUTH_REQUIRED_PATHS: '/api/private' } })
  const user = await signUp(app, { name: 'Zoë Ünïcode' })

  const anonymous = await app.inject({ url: '/api/hello' })
  t.equal(anonymous.statusCode, 200)
  t.notOk(received(anonymous).headers['x-user-id'], 'anonymous request carries no identity')

  const signedIn = await app.inject({ url: '/api/hello?x=1', headers: { cookie: user.cookie } })
  const got = api.last()
  t.equal(got.url, '/api/hello?x=1', 'path and query forwarded unchanged')
  t.match(got.headers['x-user-id'], /^[A-Za-z0-9]+$/)
  t.equal(got.headers['x-user-email'], encodeURIComponent(user.email))
  t.equal(got.headers['x-user-name'], 'Zo%C3%AB%20%C3%9Cn%C3%AFcode', 'UTF-8 name percent-encoded')
  t.equal(signedIn.statusCode, 200)

  const forged = await app.inject({
    url: '/api/hello',
    headers: { cookie: 'better-auth.session_token=forged.sig' },
  })
  t.equal(forged.statusCode, 200)
  t.notOk(api.last().headers['x-user-id'], 'a forged cookie carries no identity')
})
