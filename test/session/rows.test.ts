// The prepared miss query, on the driver under test: live rows joined to
// their users, unknown tokens absent, one statement whatever the batch size.
import t from 'tap'
import { session, user } from '../../db/schema.ts'
import { prepareFindSessions } from '../../src/session/rows.ts'
import { createTestDatabase } from '../fixtures/test-database.ts'

t.test('finds the rows for a batch of tokens, joined to their users', async (t) => {
  const testDb = await createTestDatabase()
  t.teardown(() => testDb.close())
  const database = await testDb.shared()
  await database.migrate()
  const now = new Date()
  const expiresAt = new Date(now.getTime() + 3_600_000)
  await database.db.insert(user).values([
    { id: 'u1', name: 'Ada', email: 'ada@example.com', createdAt: now, updatedAt: now },
    { id: 'u2', name: "O'Brien \u00e9", email: 'ob@example.com', createdAt: now, updatedAt: now },
  ])
  await database.db.insert(session).values([
    { id: 's1', token: 'tok-1', userId: 'u1', expiresAt, createdAt: now, updatedAt: now },
    { id: 's2', token: 'tok-2', userId: 'u2', expiresAt, createdAt: now, updatedAt: now },
    { id: 's3', token: 'tok-3', userId: 'u1', expiresAt, createdAt: now, updatedAt: now },
  ])
  const find = prepareFindSessions(database.db)

  const rows = await find(['tok-2', 'unknown', 'tok-1'])
  t.same(
    rows
      .map((r) => ({ ...r, expiresAt: r.expiresAt.getTime() }))
      .sort((a, b) => a.token.localeCompare(b.token)),
    [
      {
        token: 'tok-1',
        sessionId: 's1',
        userId: 'u1',
        email: 'ada@example.com',
        name: 'Ada',
        expiresAt: expiresAt.getTime(),
      },
      {
        token: 'tok-2',
        sessionId: 's2',
        userId: 'u2',
        email: 'ob@example.com',
        name: "O'Brien \u00e9",
        expiresAt: expiresAt.getTime(),
      },
    ],
    'known tokens answered with their users; the unknown one is absent',
  )
  t.ok(rows[0]?.expiresAt instanceof Date, 'expiry is a Date')
  t.same(await find([]), [], 'an empty batch is an empty answer')
  t.same(await find(['unknown']), [], 'no row for an unknown token')
  t.same(
    (await find(['tok-3'])).map((r) => r.userId),
    ['u1'],
    'the same statement serves a batch of one',
  )
  // A token is compared as text, never interpreted: quotes and array syntax are data.
  t.same(await find(["x' or '1'='1", '{tok-1}', 'tok-1,tok-2']), [], 'hostile tokens match nothing')

  const before = database.queryCount()
  await find(['tok-1', 'tok-2', 'tok-3'])
  t.equal(database.queryCount() - before, 1, 'one query per batch')
})
