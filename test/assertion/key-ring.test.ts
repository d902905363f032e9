// Signing keys on the real database under test: the first start creates one,
// a second instance adopts it, a rotation walks through publish-ahead, switch
// and retirement, and keys that do not open are never used to sign.
import { generateKeyPairSync } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { createLocalJWKSet, jwtVerify } from 'jose'
import t from 'tap'
import { signingKey } from '../../db/schema.ts'
import { KeyRing } from '../../src/assertion/key-ring.ts'
import { AssertionMinter } from '../../src/assertion/minter.ts'
import { createTestDatabase } from '../fixtures/test-database.ts'

const SECRET = 'key-ring-test-secret-0123456789abcdef'
const H = 3_600_000
const SCHEDULE = { rotationMs: 24 * H, publishAheadMs: 0.1 * H, retainMs: 0.2 * H, clockSkewMs: 60_000 }

const testDb = await createTestDatabase()
t.teardown(() => testDb.close())
const database = await testDb.shared()
await database.migrate()

function recordingLog() {
  const lines: { level: string; msg: string }[] = []
  return {
    lines,
    info: (_: object, msg: string) => void lines.push({ level: 'info', msg }),
    error: (_: object, msg: string) => void lines.push({ level: 'error', msg }),
  }
}

function ring(clock: { now: number }, secret = SECRET) {
  return new KeyRing({
    db: database.db,
    secret,
    schedule: SCHEDULE,
    log: recordingLog(),
    now: () => clock.now,
  })
}

async function mintWith(keyRing: KeyRing, clock: { now: number }, sessionToken = 'tok') {
  const minter = new AssertionMinter({
    ring: keyRing,
    issuer: 'https://gw.example.com',
    audience: 'https://gw.example.com',
    lifetimeSeconds: 300,
    now: () => clock.now,
  })
  const subject = {
    sessionToken,
    sessionId: 's',
    userId: 'u',
    email: 'e@x',
    name: 'n',
    sessionExpiresAt: clock.now + 48 * H,
  }
  return (await minter.mint(subject)).jwt
}

async function verifies(jwt: string, keyRing: KeyRing, clock: { now: number }) {
  try {
    await jwtVerify(jwt, createLocalJWKSet({ keys: keyRing.jwks().keys }), {
      algorithms: ['EdDSA'],
      currentDate: new Date(clock.now),
    })
    return true
  } catch {
    return false
  }
}

t.beforeEach(async () => {
  await database.db.delete(signingKey)
})

t.test('the first start creates one key; a second instance adopts it', async (t) => {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const first = ring(clock)
  await first.refresh()
  const jwks = first.jwks()
  t.equal(jwks.keys.length, 1, 'one key published')
  t.match(jwks.keys[0], { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: /^[\w-]{43}$/ })
  t.notOk('d' in (jwks.keys[0] as object), 'no private part published')
  t.equal(first.signer()?.kid, jwks.keys[0]?.kid, 'it signs')

  const second = ring(clock)
  await second.refresh()
  t.same(second.jwks(), jwks, 'the second instance publishes the very same JWKS, ETag included')
  t.equal((await database.db.select().from(signingKey)).length, 1, 'and created nothing')
  t.ok(
    await verifies(await mintWith(second, clock), first, clock),
    "the second's assertion verifies with the first's JWKS",
  )
})

t.test('two instances starting at once create one key', async (t) => {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const rings = [ring(clock), ring(clock), ring(clock)]
  await Promise.all(rings.map((r) => r.refresh()))
  t.equal(
    (await database.db.select().from(signingKey)).length,
    1,
    'the unique generation lets one insert win',
  )
  t.equal(new Set(rings.map((r) => r.signer()?.kid)).size, 1, 'all sign with it')
})

t.test('a rotation: published ahead, then signing, the old key kept through the grace period', async (t) => {
  const start = Date.UTC(2026, 0, 1)
  const clock = { now: start }
  const a = ring(clock)
  const b = ring(clock)
  await a.refresh()
  await b.refresh()
  const oldKid = a.signer()?.kid
  const oldAssertion = await mintWith(a, clock, 'old')

  clock.now = start + 23.9 * H // publish-ahead begins
  await b.refresh() // whichever instance notices first creates the successor
  await a.refresh()
  const [newest] = a.jwks().keys
  t.not(newest?.kid, oldKid, 'a successor exists')
  t.same(
    a.jwks().keys.map((k) => k.kid),
    [newest?.kid, oldKid],
    'both published, newest first',
  )
  t.equal(a.signer()?.kid, oldKid, 'the successor does not sign before its time')
  t.same(b.jwks(), a.jwks(), 'both instances publish the same set')

  clock.now = start + 24 * H // the switch: every instance, from its own clock
  t.equal(a.signer()?.kid, newest?.kid, 'instance a signs with the new key')
  t.equal(b.signer()?.kid, newest?.kid, 'instance b too, without a reload')
  const newAssertion = await mintWith(a, clock, 'new')
  t.ok(await verifies(newAssertion, b, clock), 'a new assertion verifies')
  clock.now = start + 24 * H + 200_000 // the old assertion is still within its life
  await a.refresh()
  t.ok(await verifies(oldAssertion, a, { now: start + 120_000 }), 'the old key is still published')
  t.equal(a.jwks().keys.length, 2)

  clock.now = start + 24.2 * H // retention over
  await a.refresh()
  t.same(
    a.jwks().keys.map((k) => k.kid),
    [newest?.kid],
    'the old key is no longer published',
  )
  t.same(
    (await database.db.select().from(signingKey)).map((row) => row.kid),
    [newest?.kid],
    'and its row is deleted',
  )
  t.notOk(await verifies(oldAssertion, a, { now: start + 120_000 }), 'so nothing it signed verifies any more')
})

t.test('a changed BETTER_AUTH_SECRET, and a fleet mid-way through the change', async (t) => {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const before = ring(clock)
  await before.refresh()
  const oldKid = before.signer()?.kid

  const log = recordingLog()
  const after = new KeyRing({
    db: database.db,
    secret: `${SECRET}-rotated`,
    schedule: SCHEDULE,
    log,
    now: () => clock.now,
  })
  await after.refresh()
  const newKid = after.signer()?.kid
  t.ok(newKid, 'the new secret has a key to sign with')
  t.not(newKid, oldKid, 'a new one')
  t.same(
    after.jwks().keys.map((k) => k.kid),
    [newKid],
    'and publishes only what opens with its secret',
  )
  t.match(log.lines, [
    { level: 'error', msg: /does not open/ },
    { level: 'info', msg: /signs at once: no key in the table opens/ },
  ])

  // Both sides keep reloading, as a fleet does during a rolling restart.
  for (let minute = 1; minute <= 5; minute++) {
    clock.now += 60_000
    await before.refresh()
    await after.refresh()
  }
  t.equal((await database.db.select().from(signingKey)).length, 2, 'no churn: still one key per secret')
  t.equal(before.signer()?.kid, oldKid, 'the old side signs with its own key')
  t.equal(after.signer()?.kid, newKid, 'the new side with its own')
  t.same(
    before.jwks().keys.map((k) => k.kid),
    [oldKid],
    'each side publishes only its own',
  )
})

t.test('write access to the table without the secret cannot get a key published or signing', async (t) => {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const victim = ring(clock)
  await victim.refresh()
  const honestKid = victim.signer()?.kid as string
  const attackerX = (generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { x: string }).x
  const attackerJwk = { kty: 'OKP', crv: 'Ed25519', x: attackerX }

  // A planted row: the attacker's public key, far in the future, a high generation.
  await database.db.insert(signingKey).values({
    kid: 'rogue-kid',
    generation: 1000,
    publicJwk: attackerJwk,
    privateKey: 'v1.AAAA.AAAA.AAAA',
    activatesAt: new Date(Date.UTC(2099, 0, 1)),
  })
  await victim.refresh()
  t.same(
    victim.jwks().keys.map((k) => k.kid),
    [honestKid],
    'a planted row is not published',
  )
  t.equal(victim.signer()?.kid, honestKid, 'nor signs')
  clock.now += 24 * 3_600_000 - 0.1 * 3_600_000
  await victim.refresh()
  const successor = victim.jwks().keys[0]?.kid
  t.not(successor, honestKid, 'and rotation goes on: the planted future row is no scheduled successor')
  const generations = (await database.db.select().from(signingKey))
    .map((row) => row.generation)
    .sort((a, b) => a - b)
  t.same(generations, [1, 1000, 1001], 'the successor took the next free generation')

  // The live signer's public half swapped under a running instance.
  await database.db.update(signingKey).set({ publicJwk: attackerJwk }).where(eq(signingKey.kid, honestKid))
  await victim.refresh()
  t.notOk(
    victim.jwks().keys.some((k) => k.x === attackerX),
    'the altered row is opened again and fails: the attacker’s key is never published',
  )
  t.not(victim.signer()?.kid, honestKid, 'nor does the altered row sign any more')

  // Its activation moved: the seal covers that too.
  const [row] = await database.db
    .select()
    .from(signingKey)
    .where(eq(signingKey.kid, successor as string))
  await database.db
    .update(signingKey)
    .set({ activatesAt: new Date((row?.activatesAt.getTime() as number) - 3_600_000) })
    .where(eq(signingKey.kid, successor as string))
  const fresh = ring(clock)
  await fresh.refresh()
  t.notOk(
    fresh.jwks().keys.some((k) => k.kid === successor),
    'a row whose activation was changed does not open either',
  )
})

t.test('a ring with no usable key makes the minter refuse', async (t) => {
  const minter = new AssertionMinter({
    ring: { signer: () => undefined },
    issuer: 'i',
    audience: 'a',
    lifetimeSeconds: 60,
  })
  await t.rejects(
    minter.mint({
      sessionToken: 't',
      sessionId: 's',
      userId: 'u',
      email: 'e',
      name: 'n',
      sessionExpiresAt: Date.now() + H,
    }),
    { name: 'NoSigningKey' },
  )
})

t.test('rotate(): a successor published at once, signing after publish-ahead, never doubled', async (t) => {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const a = ring(clock)
  await a.refresh()
  const first = a.signer()?.kid
  clock.now += 5 * H // mid-term: the schedule would not rotate for 19 hours
  const rotation = await a.rotate()
  t.equal(rotation.created, true)
  t.equal(rotation.generation, 2)
  t.equal(rotation.activatesAt, clock.now + SCHEDULE.publishAheadMs, 'signs after the publish-ahead interval')
  t.same(
    a.jwks().keys.map((key) => key.kid),
    [rotation.kid, first],
    'published at once, beside the key that signs',
  )
  t.equal(a.signer()?.kid, first, 'the current key signs meanwhile')

  const b = ring(clock) // another instance, or the CLI run twice
  const again = await b.rotate()
  t.same(again, { ...rotation, created: false }, 'the scheduled successor is the rotation: no third key')
  t.equal((await database.db.select().from(signingKey)).length, 2)

  clock.now = rotation.activatesAt
  await a.refresh()
  t.equal(a.signer()?.kid, rotation.kid, 'from its activation the successor signs')
  const jwt = await mintWith(a, clock)
  t.ok(await verifies(jwt, b, clock), 'and what it signs verifies against the JWKS of the others')
})

t.test('rotate() on an empty table: the first key is made, then its successor scheduled', async (t) => {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const keyRing = ring(clock)
  const rotation = await keyRing.rotate()
  t.equal(
    keyRing.signer()?.kid !== undefined && keyRing.signer()?.kid !== rotation.kid,
    true,
    'a key signs now',
  )
  t.same(
    { generation: rotation.generation, created: rotation.created },
    { generation: 2, created: true },
    'and its successor is scheduled',
  )
})
