// Misses that arrive together share one query, each waiter gets its own row,
// and a failed query fails only the waiters of its batch.
import t from 'tap'
import { batchSessionLoads, type SessionRow } from '../../src/session/batch.ts'

const row = (token: string): SessionRow => ({
  token,
  sessionId: `id-of-${token}`,
  userId: `user-of-${token}`,
  email: `${token}@example.com`,
  name: token,
  expiresAt: new Date(Date.now() + 60_000),
})

function recorder(known: Set<string>, fail?: (tokens: string[]) => boolean) {
  const calls: string[][] = []
  const find = async (tokens: string[]) => {
    calls.push(tokens)
    if (fail?.(tokens)) throw new Error('database down')
    return tokens.filter((x) => known.has(x)).map(row)
  }
  return { calls, find }
}

t.test('loads asked for in the same turn share one query, and each gets its own row', async (t) => {
  const { calls, find } = recorder(new Set(['a', 'b', 'c']))
  const load = batchSessionLoads(find)
  const rows = await Promise.all(['a', 'b', 'c', 'x'].map(load))
  t.same(calls, [['a', 'b', 'c', 'x']], 'one query')
  t.same(
    rows.map((r) => r?.userId),
    ['user-of-a', 'user-of-b', 'user-of-c', undefined],
    'rows matched by token; unknown is undefined',
  )
})

t.test('a token asked for twice is queried once and answers both', async (t) => {
  const { calls, find } = recorder(new Set(['a']))
  const load = batchSessionLoads(find)
  const [first, second] = await Promise.all([load('a'), load('a')])
  t.same(calls, [['a']])
  t.equal(first?.token, 'a')
  t.equal(second?.token, 'a')
})

t.test('batches are capped at maxBatch tokens', async (t) => {
  const tokens = Array.from({ length: 25 }, (_, i) => `t${i}`)
  const { calls, find } = recorder(new Set(tokens))
  const load = batchSessionLoads(find, 10)
  const rows = await Promise.all(tokens.map(load))
  t.same(
    calls.map((c) => c.length),
    [10, 10, 5],
  )
  t.same(
    rows.map((r) => r?.token),
    tokens,
  )
})

t.test('a later turn starts a new batch', async (t) => {
  const { calls, find } = recorder(new Set(['a', 'b']))
  const load = batchSessionLoads(find)
  await load('a')
  await load('b')
  t.same(calls, [['a'], ['b']])
})

t.test('a failed query rejects the waiters of its batch only', async (t) => {
  const { find } = recorder(new Set(['t0', 't1', 't2', 't3']), (tokens) => tokens.includes('t0'))
  const load = batchSessionLoads(find, 2)
  const outcomes = await Promise.allSettled(['t0', 't1', 't2', 't3'].map(load))
  t.same(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected', 'fulfilled', 'fulfilled'],
  )
  const again = await Promise.allSettled([load('t2')])
  t.equal(again[0]?.status, 'fulfilled', 'and the loader keeps working')
})
