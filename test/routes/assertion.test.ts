// X-User-Assertion through the whole gateway: what the upstream receives on
// plain requests, websocket upgrades and /verify verifies with jose against
// the JWKS the gateway serves; anonymous requests get none; one assertion per
// session, reused; a revoked session's is never served again; a second
// instance on the same database signs verifiably; a rotation keeps old
// assertions valid through the grace period.
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import t from 'tap'
import WebSocket from 'ws'
import { buildApp } from '../../src/app.ts'
import { buildHarness, fileDatabase, listen, ORIGIN, signIn, signUp, testConfig } from '../helper.ts'

const db = await fileDatabase(t)

async function jwksOf(app: { inject: (o: { url: string }) => Promise<{ body: string }> }) {
  return createLocalJWKSet(JSON.parse((await app.inject({ url: '/.well-known/jwks.json' })).body))
}

t.test(
  'a proxied signed-in request carries an assertion that verifies against the served JWKS',
  async (t) => {
    const { app, api } = await buildHarness(t, { db })
    const user = await signUp(app, { name: 'Zoë Ünïcode' })
    const session = (
      await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })
    ).json()

    await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
    const jwt = api.last().headers['x-user-assertion'] as string
    t.ok(jwt, 'the upstream received X-User-Assertion')
    const port = await listen(app)
    // As a backend would: fetch the JWKS over HTTP and verify.
    const remote = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`))
    const { payload, protectedHeader } = await jwtVerify(jwt, remote, {
      algorithms: ['EdDSA'],
      issuer: ORIGIN,
      audience: ORIGIN,
    })
    t.match(protectedHeader, { alg: 'EdDSA', typ: 'JWT', kid: /^[\w-]{43}$/ })
    t.same(Object.keys(payload).sort(), ['aud', 'email', 'exp', 'iat', 'iss', 'name', 'sid', 'sub'])
    t.match(payload, {
      iss: ORIGIN,
      aud: ORIGIN,
      sub: session.user.id,
      email: user.email,
      name: 'Zoë Ünïcode',
      sid: session.session.id,
    })
    t.equal((payload.exp as number) - (payload.iat as number), 300, 'five minutes by default')
    t.ok(Math.abs((payload.iat as number) - Date.now() / 1000) < 60, 'issued now')
    t.equal(api.last().headers['x-user-id'], payload.sub, 'X-User-Id and sub agree')
  },
)

t.test('none for anonymous requests; a client-sent one never reaches the upstream', async (t) => {
  const { app, api } = await buildHarness(t, { db })
  const user = await signUp(app)
  await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
  const stolen = api.last().headers['x-user-assertion'] as string

  await app.inject({ url: '/api/who' })
  t.notOk(api.last().headers['x-user-assertion'], 'anonymous: none')
  await app.inject({ url: '/api/who', headers: { 'x-user-assertion': stolen } })
  t.notOk(api.last().headers['x-user-assertion'], 'a replayed real assertion without the session: stripped')
  await app.inject({
    url: '/docs/page',
    headers: { 'x-user-assertion': stolen, cookie: 'better-auth.session_token=forged.sig' },
  })
  t.notOk(api.last().headers['x-user-assertion'], 'with a forged cookie: stripped, none minted')
})

t.test('/verify answers the assertion with the identity headers', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const res = await app.inject({ url: '/verify', headers: { cookie: user.cookie } })
  t.equal(res.statusCode, 200)
  const { payload } = await jwtVerify(res.headers['x-user-assertion'] as string, await jwksOf(app), {
    issuer: ORIGIN,
    audience: ORIGIN,
  })
  t.equal(payload.sub, res.headers['x-user-id'])
  t.notOk((await app.inject({ url: '/verify' })).headers['x-user-assertion'], '401 carries none')
})

t.test('a websocket upgrade carries it too', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app)
  const port = await listen(app)
  const headers = await new Promise<Record<string, string>>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/socket`, {
      headers: { origin: ORIGIN, cookie: user.cookie },
    })
    ws.on('message', (data) => {
      ws.close()
      resolve(JSON.parse(data.toString()).headers)
    })
    ws.on('error', reject)
  })
  const { payload } = await jwtVerify(headers['x-user-assertion'] as string, await jwksOf(app), {
    audience: ORIGIN,
  })
  t.equal(payload.sub, headers['x-user-id'])
})

t.test(
  'one assertion per session: reused across requests and cache refills, new after sign-out',
  async (t) => {
    const { app, api } = await buildHarness(t, { db })
    const user = await signUp(app)
    const assertionOf = async (cookie: string) => {
      await app.inject({ url: '/api/who', headers: { cookie } })
      return api.last().headers['x-user-assertion']
    }
    const first = await assertionOf(user.cookie)
    t.equal(await assertionOf(user.cookie), first, 'a cache hit serves the same one')
    app.sessionCache.clear()
    t.equal(
      await assertionOf(user.cookie),
      first,
      'a cache refill (the database asked again) reuses it: no new signature',
    )

    const other = await signIn(app, user)
    const otherCookie = (other.headers['set-cookie'] as string[])[0]?.split(';')[0] as string
    const second = await assertionOf(otherCookie)
    t.not(second, first, 'another session of the same user has its own')
    t.not(decodeJwt(second as string).sid, decodeJwt(first as string).sid)

    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie: user.cookie, origin: ORIGIN },
    })
    t.equal(out.statusCode, 200)
    await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
    t.notOk(api.last().headers['x-user-assertion'], 'the signed-out session: never served again')
    t.equal(await assertionOf(otherCookie), second, 'the other session keeps its own')
  },
)

t.test('a second instance on the same database publishes the same keys', async (t) => {
  const first = await buildHarness(t, { db })
  const second = await buildHarness(t, { db, api: first.api, docs: first.docs })
  const firstJwks = await first.app.inject({ url: '/.well-known/jwks.json' })
  const secondJwks = await second.app.inject({ url: '/.well-known/jwks.json' })
  t.equal(secondJwks.body, firstJwks.body, 'the same JWKS')
  t.equal(secondJwks.headers.etag, firstJwks.headers.etag, 'and the same ETag')
  const user = await signUp(first.app)
  await second.app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
  const jwt = first.api.last().headers['x-user-assertion'] as string
  await t.resolves(
    jwtVerify(jwt, await jwksOf(first.app), { audience: ORIGIN }),
    "the second's assertion verifies with the first's JWKS",
  )
})

t.test('the JWKS: public parts only, cacheable, revalidated by ETag', async (t) => {
  const { app } = await buildHarness(t, { db })
  const res = await app.inject({ url: '/.well-known/jwks.json' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['cache-control'], 'public, max-age=300')
  t.match(res.headers.etag, /^"[\w-]+"$/)
  const { keys } = res.json() as { keys: Record<string, string>[] }
  t.ok(keys.length >= 1)
  for (const key of keys) {
    t.same(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x'], 'no private member (d)')
    t.match(key, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
  }
  const again = await app.inject({
    url: '/.well-known/jwks.json',
    headers: { 'if-none-match': res.headers.etag as string },
  })
  t.equal(again.statusCode, 304, 'an unchanged set costs no body')
  t.equal(again.body, '')
  const etag = res.headers.etag as string
  for (const [name, value, status] of [
    ['weak form', `W/${etag}`, 304],
    ['in a list', `"other", ${etag}`, 304],
    ['any (*)', '*', 304],
    ['another tag', '"other"', 200],
  ] as const) {
    const conditional = await app.inject({
      url: '/.well-known/jwks.json',
      headers: { 'if-none-match': value },
    })
    t.equal(conditional.statusCode, status, `If-None-Match ${name}`)
  }
  t.equal((await app.inject({ method: 'HEAD', url: '/.well-known/jwks.json' })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/.well-known/jwks.json' })).statusCode, 404)
})

t.test(
  'rotation through the gateway: new assertions use the new kid, old ones verify through the grace period',
  async (t) => {
    const rotationDb = await fileDatabase(t)
    const clock = { now: Date.now() }
    const harness = await buildHarness(t, { db: rotationDb, env: { ASSERTION_KEY_ROTATION_HOURS: '1' } })
    await harness.app.close()
    // The same database, now with a clock the test moves.
    const config = testConfig(
      { API_UPSTREAM_URL: harness.api.url, ASSERTION_KEY_ROTATION_HOURS: '1' },
      rotationDb,
    )
    const app = await buildApp(config, { database: await rotationDb.shared(), now: () => clock.now })
    t.teardown(() => app.close())
    const user = await signUp(app)
    await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
    const old = harness.api.last().headers['x-user-assertion'] as string
    const oldKid = decodeProtectedHeader(old).kid

    clock.now += 3_600_000 // an hour on: the successor was due 7 minutes ago
    await app.keyRing.refresh() // what the minute's timer does
    app.sessionCache.clear()
    await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
    const renewed = harness.api.last().headers['x-user-assertion'] as string
    t.not(renewed, old, 'an hour on, the old assertion was due for renewal')
    t.equal(
      decodeProtectedHeader(renewed).kid,
      oldKid,
      'the successor is only published: the renewal is still signed with the old key',
    )
    const published = (await app.inject({ url: '/.well-known/jwks.json' }))
      .json()
      .keys.map((k: { kid: string }) => k.kid)
    t.equal(published.length, 2, 'published ahead: both keys listed')
    t.equal(published[1], oldKid)

    clock.now += 8 * 60_000 // past the successor's activation
    app.sessionCache.clear()
    await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { cookie: user.cookie, origin: ORIGIN },
    })
    const fresh = await signUp(app)
    await app.inject({ url: '/api/who', headers: { cookie: fresh.cookie } })
    const next = harness.api.last().headers['x-user-assertion'] as string
    t.equal(decodeProtectedHeader(next).kid, published[0], 'a new assertion is signed with the new kid')
    const jwks = await jwksOf(app)
    await t.resolves(
      jwtVerify(next, jwks, { audience: ORIGIN, currentDate: new Date(clock.now) }),
      'the new one verifies',
    )
    await t.resolves(
      jwtVerify(old, jwks, { audience: ORIGIN }),
      'the old one still verifies through the grace period',
    )
  },
)

t.test(
  'IDENTITY_ASSERTION=off: no assertion, the identity headers as before, the JWKS still served',
  async (t) => {
    const { app, api } = await buildHarness(t, { db, env: { IDENTITY_ASSERTION: 'off' } })
    const user = await signUp(app)
    await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
    t.notOk(api.last().headers['x-user-assertion'])
    t.ok(api.last().headers['x-user-id'])
    t.equal((await app.inject({ url: '/.well-known/jwks.json' })).statusCode, 200)
  },
)

t.test('ASSERTION_AUDIENCE and ASSERTION_TTL_SECONDS reach the claims', async (t) => {
  const { app, api } = await buildHarness(t, {
    db,
    env: { ASSERTION_AUDIENCE: 'api://orders', ASSERTION_TTL_SECONDS: '60' },
  })
  const user = await signUp(app)
  await app.inject({ url: '/api/who', headers: { cookie: user.cookie } })
  const { payload } = await jwtVerify(api.last().headers['x-user-assertion'] as string, await jwksOf(app), {
    audience: 'api://orders',
  })
  t.equal((payload.exp as number) - (payload.iat as number), 60)
})
