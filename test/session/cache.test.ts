import t from 'tap'
import { type CacheLoad, SessionCache, type SessionCacheOptions } from '../../src/session/cache.ts'

function setup(overrides: Partial<SessionCacheOptions<string>> = {}) {
  let now = 1_000_000
  const cache = new SessionCache<string>({
    ttlMs: 5000,
    negativeTtlMs: 1000,
    maxEntries: 100,
    maxNegativeEntries: 100,
    now: () => now,
    ...overrides,
  })
  return {
    cache,
    advance: (ms: number) => {
      now += ms
    },
    now: () => now,
  }
}

const session = (token: string, userId: string, validUntil = Number.MAX_SAFE_INTEGER): CacheLoad<string> => ({
  kind: 'session',
  value: `identity-of-${userId}`,
  token,
  userId,
  validUntil,
})

t.test('a validated session is served from the cache until its TTL', async (t) => {
  const { cache, advance } = setup()
  let calls = 0
  await cache.resolve('k1', async () => {
    calls++
    return session('t1', 'u1')
  })
  t.equal(cache.peek('k1').state, 'hit')
  advance(4999)
  t.equal(cache.peek('k1').state, 'hit')
  advance(1)
  t.equal(cache.peek('k1').state, 'miss', 'expired at the TTL')
  t.equal(calls, 1)
})

t.test('an entry never outlives its session', async (t) => {
  const { cache, advance, now } = setup()
  await cache.resolve('k1', async () => session('t1', 'u1', now() + 1000))
  advance(999)
  t.equal(cache.peek('k1').state, 'hit')
  advance(1)
  t.equal(cache.peek('k1').state, 'miss', 'gone when the session expires, before the TTL')
  await cache.resolve('k2', async () => session('t2', 'u2', now() - 1))
  t.equal(cache.peek('k2').state, 'miss', 'an already-expired session is not cached')
})

t.test('unknown cookies are remembered briefly (negative cache)', async (t) => {
  const { cache, advance } = setup()
  await cache.resolve('garbage', async () => ({ kind: 'none' }))
  t.equal(cache.peek('garbage').state, 'negative')
  advance(1000)
  t.equal(cache.peek('garbage').state, 'miss')
})

t.test('errors are never cached and reach every waiter', async (t) => {
  const { cache } = setup()
  const failing = () => Promise.reject(new Error('database down'))
  await t.rejects(Promise.all([cache.resolve('k', failing), cache.resolve('k', failing)]), /database down/)
  t.equal(cache.peek('k').state, 'miss')
  t.same(cache.size, { entries: 0, negative: 0, inFlight: 0, bytes: 0 })
})

t.test('concurrent misses for one key share one lookup', async (t) => {
  const { cache } = setup()
  let calls = 0
  let release: () => void = () => {}
  const gate = new Promise<void>((r) => {
    release = r
  })
  const lookup = async () => {
    calls++
    await gate
    return session('t1', 'u1')
  }
  const waiters = Array.from({ length: 20 }, () => cache.resolve('k1', lookup))
  release()
  const results = await Promise.all(waiters)
  t.equal(calls, 1, 'one lookup for twenty requests')
  t.ok(results.every((r) => r.kind === 'session'))
})

t.test('eviction by token and by user is immediate', async (t) => {
  const { cache } = setup()
  await cache.resolve('k1', async () => session('t1', 'u1'))
  await cache.resolve('k2', async () => session('t2', 'u1'))
  await cache.resolve('k3', async () => session('t3', 'u2'))
  cache.evictToken('t1')
  t.equal(cache.peek('k1').state, 'miss', 'sign-out / revoke-session')
  t.equal(cache.peek('k2').state, 'hit', "the user's other session stays")
  cache.evictUser('u1')
  t.equal(cache.peek('k2').state, 'miss', 'revoke-sessions / password change / user deletion')
  t.equal(cache.peek('k3').state, 'hit', 'other users are untouched')
  cache.evictToken('never-cached')
  t.equal(cache.peek('k3').state, 'hit', 'evicting an unknown token is harmless')
})

t.test(
  'a lookup in flight during an eviction neither answers later requests nor fills the cache',
  async (t) => {
    const { cache } = setup()
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    let calls = 0
    const stale = cache.resolve('k1', async () => {
      calls++
      await gate
      return session('t1', 'u1')
    })
    cache.evictToken('t1') // the session is deleted while its lookup runs
    const fresh = cache.resolve('k1', async () => {
      calls++
      return { kind: 'none' }
    })
    t.equal(calls, 2, 'a request after the eviction starts its own lookup')
    t.same(await fresh, { kind: 'none' })
    release()
    t.equal((await stale).kind, 'session', 'the old flight still answers the request that started it')
    t.not(cache.peek('k1').state, 'hit', 'but it does not repopulate the cache')
  },
)

t.test('memory is bounded: the oldest entries go first', async (t) => {
  const { cache } = setup({ maxEntries: 3, maxNegativeEntries: 2 })
  for (const n of [1, 2, 3, 4]) await cache.resolve(`k${n}`, async () => session(`t${n}`, `u${n}`))
  t.equal(cache.peek('k1').state, 'miss', 'oldest evicted')
  t.equal(cache.peek('k4').state, 'hit')
  t.equal(cache.size.entries, 3)
  for (const n of [1, 2, 3]) await cache.resolve(`bad${n}`, async () => ({ kind: 'none' }))
  t.equal(cache.size.negative, 2)
  t.equal(cache.peek('bad1').state, 'miss')
  cache.evictToken('t1') // its entry was already evicted: the index must not resurrect anything
  t.equal(cache.size.entries, 3)
})

t.test('memory is bounded by size too: large identities push out the oldest', async (t) => {
  const { cache } = setup({ maxSize: 100, sizeOf: (value: string) => value.length })
  const sized = (token: string, length: number): CacheLoad<string> => ({
    kind: 'session',
    value: 'x'.repeat(length),
    token,
    userId: `u-${token}`,
    validUntil: Number.MAX_SAFE_INTEGER,
  })
  await cache.resolve('a', async () => sized('ta', 40))
  await cache.resolve('b', async () => sized('tb', 40))
  t.equal(cache.size.bytes, 80)
  await cache.resolve('c', async () => sized('tc', 40))
  t.equal(cache.peek('a').state, 'miss', 'the oldest made room')
  t.equal(cache.peek('c').state, 'hit')
  t.equal(cache.size.bytes, 80)
  await cache.resolve('huge', async () => sized('th', 101))
  t.equal(cache.peek('huge').state, 'miss', 'larger than the whole budget: served, never cached')
  t.equal(cache.peek('b').state, 'hit', 'and it evicted nothing')
  await cache.resolve('b', async () => sized('tb', 10))
  t.equal(cache.size.bytes, 50, 'replacing an entry releases its old size')
  cache.evictToken('tc')
  t.equal(cache.size.bytes, 10, 'eviction releases its size')
  cache.clear()
  t.equal(cache.size.bytes, 0)
})

t.test('ttlMs 0 disables caching and coalescing: every request is validated', async (t) => {
  const { cache } = setup({ ttlMs: 0 })
  t.notOk(cache.enabled)
  let calls = 0
  await Promise.all(
    [1, 2, 3].map(() =>
      cache.resolve('k1', async () => {
        calls++
        return session('t1', 'u1')
      }),
    ),
  )
  t.equal(calls, 3)
  t.equal(cache.peek('k1').state, 'miss')
})

t.test('clear() forgets everything', async (t) => {
  const { cache } = setup()
  await cache.resolve('k1', async () => session('t1', 'u1'))
  cache.clear()
  t.same(cache.size, { entries: 0, negative: 0, inFlight: 0, bytes: 0 })
})

t.test('expired entries are dropped when new ones are stored, not kept until the limit', async (t) => {
  const { cache, advance } = setup()
  for (const n of [1, 2, 3]) await cache.resolve(`k${n}`, async () => session(`t${n}`, `u${n}`))
  await cache.resolve('bad', async () => ({ kind: 'none' }))
  advance(5000)
  await cache.resolve('k4', async () => session('t4', 'u4'))
  t.same(cache.size, { entries: 1, negative: 0, inFlight: 0, bytes: 0 }, 'only the new entry is left')
})
