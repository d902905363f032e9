import { hashPassword as betterAuthHash } from '@better-auth/utils/password'
import t from 'tap'
import { createPasswordHasher } from '../../../src/auth/password/hashing.ts'

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
