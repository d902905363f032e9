// The minter: exact claims, one signature per session reused until its
// refresh time, a new one when anything it says changes, never past the session.
import { generateKeyPairSync } from 'node:crypto'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import t from 'tap'
import { AssertionMinter } from '../../src/assertion/minter.ts'

const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const KID = 'test-kid'
const JWKS = createLocalJWKSet({
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'EdDSA', use: 'sig' }],
})
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0)

function minter(clock: { now: number }, signs = { count: 0 }) {
  return new AssertionMinter({
    ring: {
      signer: () => {
        signs.count++
        return { kid: KID, privateKey }
      },
    },
    issuer: 'https://gw.example.com',
    audience: 'api://orders',
    lifetimeSeconds: 300,
    maxEntries: 3,
    now: () => clock.now,
  })
}

const subject = (overrides = {}) => ({
  sessionToken: 'secret-token',
  sessionId: 'sess-1',
  userId: 'user-1',
  email: 'zoë@example.com',
  name: 'Zoë',
  sessionExpiresAt: T0 + 7 * 24 * 3_600_000,
  ...overrides,
})

t.test('the claims, the header, and nothing more', async (t) => {
  const clock = { now: T0 + 400 }
  const minted = await minter(clock).mint(subject())
  t.same(decodeProtectedHeader(minted.jwt), { alg: 'EdDSA', kid: KID, typ: 'JWT' })
  const { payload } = await jwtVerify(minted.jwt, JWKS, {
    issuer: 'https://gw.example.com',
    audience: 'api://orders',
    currentDate: new Date(clock.now),
  })
  t.same(payload, {
    iss: 'https://gw.example.com',
    aud: 'api://orders',
    sub: 'user-1',
    email: 'zoë@example.com',
    name: 'Zoë',
    sid: 'sess-1',
    iat: T0 / 1000,
    exp: T0 / 1000 + 300,
  })
  t.notOk(minted.jwt.includes('secret-token'), 'the session token never leaves the gateway')
  t.equal(
    minted.refreshAt,
    T0 + 240_000,
    'reused for 80% of its life: a minute of five left when the last copy leaves',
  )
})

t.test('reused until its refresh time, then minted anew', async (t) => {
  const clock = { now: T0 }
  const signs = { count: 0 }
  const m = minter(clock, signs)
  const first = await m.mint(subject())
  clock.now = T0 + 239_999
  t.equal((await m.mint(subject())).jwt, first.jwt, 'the same assertion within the window')
  t.equal(signs.count, 1, 'one signature')
  clock.now = T0 + 240_000
  const second = await m.mint(subject())
  t.not(second.jwt, first.jwt, 'a new one at the refresh time')
  t.equal(signs.count, 2)
})

t.test('anything the assertion says changes: a new one at once', async (t) => {
  const clock = { now: T0 }
  const m = minter(clock)
  const first = (await m.mint(subject())).jwt
  for (const [name, change] of [
    ['a renamed user', { name: 'Zoe' }],
    ['a changed email', { email: 'z@example.com' }],
    ['another session id', { sessionId: 'sess-2' }],
    ['another user', { userId: 'user-2' }],
  ] as const) {
    t.not((await m.mint(subject(change))).jwt, first, name)
    await m.mint(subject()) // back to the original for the next row
  }
})

t.test('forget(): a signed-out session is never handed its old assertion', async (t) => {
  const clock = { now: T0 }
  const m = minter(clock)
  const first = (await m.mint(subject())).jwt
  m.forget('secret-token')
  t.equal(m.size, 0)
  clock.now += 1000
  t.not((await m.mint(subject())).jwt, first)
})

t.test('never outlives the session', async (t) => {
  const clock = { now: T0 }
  const minted = await minter(clock).mint(subject({ sessionExpiresAt: T0 + 60_000 }))
  const { payload } = await jwtVerify(minted.jwt, JWKS, { currentDate: new Date(T0) })
  t.equal(payload.exp, T0 / 1000 + 60, 'exp is the session expiry')
  t.equal(minted.refreshAt, T0 + 60_000)
})

t.test('bounded: the oldest assertions go first', async (t) => {
  const clock = { now: T0 }
  const m = minter(clock)
  for (const token of ['a', 'b', 'c', 'd']) await m.mint(subject({ sessionToken: token }))
  t.equal(m.size, 3, 'maxEntries holds')
  clock.now = T0 + 300_000
  await m.mint(subject({ sessionToken: 'e' }))
  t.equal(m.size, 1, 'expired entries are swept when a new one is stored')
})
