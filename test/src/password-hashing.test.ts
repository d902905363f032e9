import { hashPassword as betterAuthHash } from '@better-auth/utils/password'
import t from 'tap'
import { createLimiter, createPasswordHasher } from '../../src/password-hashing.ts'

t.test("Better Auth's own hashes verify, and ours verify with Better Auth's format", async (t) => {
  const hasher = createPasswordHasher(1)
  const theirs = await betterAuthHash('correct horse battery')
  t.ok(
    await hasher.verify({ hash: theirs, password: 'correct horse battery' }),
    'an existing hash still verifies',
  )
  t.notOk(await hasher.verify({ hash: theirs, password: 'wrong horse battery' }))
  const ours = await hasher.hash('Zoë’s pässword')
  t.match(ours, /^[0-9a-f]{32}:[0-9a-f]{128}$/, 'salt:key in hex, as Better Auth writes it')
  t.ok(await hasher.verify({ hash: ours, password: 'Zoë’s pässword'.normalize('NFD') }), 'NFKC-normalised')
  for (const broken of ['', 'nocolon', ':', 'abc:', ':abc', 'salt:zz']) {
    t.notOk(
      await hasher.verify({ hash: broken, password: 'x' }),
      `malformed stored hash "${broken}" never verifies`,
    )
  }
})

t.test('the limiter runs at most `concurrency` tasks at once, in order', async (t) => {
  const limit = createLimiter(2)
  let active = 0
  let peak = 0
  const order: number[] = []
  await Promise.all(
    [0, 1, 2, 3, 4, 5].map((n) =>
      limit(async () => {
        active++
        peak = Math.max(peak, active)
        await new Promise((r) => setTimeout(r, 10))
        order.push(n)
        active--
      }),
    ),
  )
  t.equal(peak, 2)
  t.same(order, [0, 1, 2, 3, 4, 5])
  await t.rejects(
    limit(async () => Promise.reject(new Error('boom'))),
    /boom/,
  )
  t.equal(await limit(async () => 7), 7, 'a failed task releases its slot')
})
