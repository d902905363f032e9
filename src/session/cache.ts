// Validated sessions, cached in-process so authenticated traffic costs no
// database round trip. Keyed by the signed session cookie value (unguessable,
// and a forged one never validates, so it can only ever reach the negative
// cache). Revocation stays exact on this instance: Better Auth's
// session.delete / user.update / user.delete hooks call evictToken/evictUser
// before the revoking request answers, and an eviction also discards any
// lookup already in flight, so a lookup that started before a sign-out can
// neither answer a later request nor repopulate the cache.

export interface CachedSession<T> {
  value: T
  /** What `sizeOf` said of the value when it was stored. */
  size: number
  /** The raw session token (for eviction by token). */
  token: string
  userId: string
  /** Epoch ms after which the entry is not used. */
  expiresAt: number
}

export interface SessionCacheOptions<T> {
  /** How long a validated session is trusted without asking the database. 0 disables caching. */
  ttlMs: number
  /** How long an unknown or invalid cookie is remembered as such. */
  negativeTtlMs: number
  maxEntries: number
  maxNegativeEntries: number
  /**
   * A budget for what the entries hold, in the units `sizeOf` counts. Entry
   * counts alone do not bound memory: a user's name is as long as the user
   * makes it, and one user can hold many sessions.
   */
  maxSize?: number
  sizeOf?: (value: T) => number
  now?: () => number
}

/** What the cache holds for a key right now, without loading. */
export type CachePeek<T> =
  | { state: 'hit'; entry: CachedSession<T> }
  | { state: 'negative' }
  | { state: 'miss' }

/** What a load reports back: a session to cache or "no session"; a load that throws is never cached. */
export type CacheLoad<T> =
  | { kind: 'session'; value: T; token: string; userId: string; validUntil: number }
  | { kind: 'none' }

interface InFlight<T> {
  promise: Promise<CacheLoad<T>>
  token?: string
}

export class SessionCache<T> {
  readonly #entries = new Map<string, CachedSession<T>>()
  readonly #negative = new Map<string, number>()
  readonly #keyByToken = new Map<string, string>()
  readonly #keysByUser = new Map<string, Set<string>>()
  readonly #inFlight = new Map<string, InFlight<T>>()
  readonly #options: SessionCacheOptions<T>
  #size = 0
  readonly #now: () => number
  #generation = 0
  /** Lookup outcomes since start, for /metrics. */
  readonly stats = { hits: 0, negativeHits: 0, misses: 0, evictions: 0 }

  constructor(options: SessionCacheOptions<T>) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  get enabled(): boolean {
    return this.#options.ttlMs > 0
  }

  get size(): { entries: number; negative: number; inFlight: number; bytes: number } {
    return {
      entries: this.#entries.size,
      negative: this.#negative.size,
      inFlight: this.#inFlight.size,
      bytes: this.#size,
    }
  }

  peek(key: string): CachePeek<T> {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined) {
      if (entry.expiresAt > now) {
        this.stats.hits++
        return { state: 'hit', entry }
      }
      this.#remove(key)
    }
    const negativeUntil = this.#negative.get(key)
    if (negativeUntil !== undefined) {
      if (negativeUntil > now) {
        this.stats.negativeHits++
        return { state: 'negative' }
      }
      this.#negative.delete(key)
    }
    this.stats.misses++
    return { state: 'miss' }
  }

  /**
   * Runs `lookup` for a missed key, sharing one lookup among concurrent
   * callers, and caches what it finds unless an eviction happened meanwhile.
   * Errors propagate to every waiter and are never cached.
   */
  resolve(key: string, lookup: () => Promise<CacheLoad<T>>): Promise<CacheLoad<T>> {
    // Disabled means every request is validated on its own, coalescing included.
    if (!this.enabled) return lookup()
    const pending = this.#inFlight.get(key)
    if (pending !== undefined) return pending.promise
    const generation = this.#generation
    const flight: InFlight<T> = { promise: Promise.resolve({ kind: 'none' }) }
    flight.promise = lookup().then(
      (load) => {
        // Only the flight still registered for this key may write, and only
        // if no eviction happened while it ran.
        if (this.#inFlight.get(key) === flight) {
          this.#inFlight.delete(key)
          if (generation === this.#generation && this.enabled) this.#store(key, load)
        }
        return load
      },
      (error: unknown) => {
        if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key)
        throw error
      },
    )
    this.#inFlight.set(key, flight)
    return flight.promise
  }

  evictToken(token: string): void {
    this.#generation++
    this.stats.evictions++
    const key = this.#keyByToken.get(token)
    if (key !== undefined) this.#remove(key)
    // A flight for an unknown key may be about this token: drop them all.
    // Evictions are rare (sign-out, revocation), flights short-lived.
    this.#inFlight.clear()
  }

  evictUser(userId: string): void {
    this.#generation++
    this.stats.evictions++
    for (const key of this.#keysByUser.get(userId) ?? []) this.#remove(key)
    this.#inFlight.clear()
  }

  clear(): void {
    this.#generation++
    this.#entries.clear()
    this.#size = 0
    this.#negative.clear()
    this.#keyByToken.clear()
    this.#keysByUser.clear()
    this.#inFlight.clear()
  }

  #store(key: string, load: CacheLoad<T>): void {
    const now = this.#now()
    this.#sweep(now)
    if (load.kind === 'none') {
      if (this.#negative.size >= this.#options.maxNegativeEntries)
        this.#negative.delete(firstKey(this.#negative))
      this.#negative.set(key, now + this.#options.negativeTtlMs)
      return
    }
    // Never outlive the session itself.
    const expiresAt = Math.min(now + this.#options.ttlMs, load.validUntil)
    if (expiresAt <= now) return
    const size = this.#options.sizeOf?.(load.value) ?? 0
    const maxSize = this.#options.maxSize ?? Number.POSITIVE_INFINITY
    // An entry larger than the whole budget is served but never cached.
    if (size > maxSize) return
    this.#remove(key)
    while (this.#entries.size >= this.#options.maxEntries || this.#size + size > maxSize) {
      this.#remove(firstKey(this.#entries))
    }
    this.#entries.set(key, {
      value: load.value,
      size,
      token: load.token,
      userId: load.userId,
      expiresAt,
    })
    this.#size += size
    this.#keyByToken.set(load.token, key)
    let keys = this.#keysByUser.get(load.userId)
    if (keys === undefined) {
      keys = new Set()
      this.#keysByUser.set(load.userId, keys)
    }
    keys.add(key)
  }

  /**
   * Drops expired entries from the front. Entries are stored in time order
   * with one TTL, so the expired ones are (nearly all) at the front and this
   * stops at the first live one: without it, sessions never seen again would
   * stay until the entry limit pushed them out.
   */
  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) break
      this.#remove(key)
    }
    for (const [key, until] of this.#negative) {
      if (until > now) break
      this.#negative.delete(key)
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    this.#size -= entry.size
    this.#keyByToken.delete(entry.token)
    const keys = this.#keysByUser.get(entry.userId)
    keys?.delete(key)
    if (keys?.size === 0) this.#keysByUser.delete(entry.userId)
  }
}

/** Map iteration follows insertion order, so the first key is the oldest. */
function firstKey<K>(map: Map<K, unknown>): K {
  return map.keys().next().value as K
}
