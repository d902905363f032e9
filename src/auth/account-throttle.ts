// A per-account limit on failed sign-ins. Better Auth limits per client IP;
// an attacker with many addresses could still grind one account. Keyed on the
// canonical email so "Alice@X.com " and "alice@x.com" share one budget.
// The lock is time-limited (a victim is locked out at most `windowMs`), and
// known and unknown emails are counted alike, so the limit reveals nothing.

export interface ThrottleOptions {
  maxFailures: number
  windowMs: number
  /** Bound on memory: oldest entries are dropped first. */
  maxEntries: number
  now?: () => number
}

interface Entry {
  failures: number
  windowStart: number
}

/** What the sign-in guard needs: this process's AccountThrottle, or the shared one (shared-account-throttle.ts). */
export interface SignInFailures {
  retryAfter(email: string): number | Promise<number>
  recordFailure(email: string): void | Promise<void>
  recordSuccess(email: string): void | Promise<void>
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  maxEntries: 100_000,
}

export function canonicalEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase()
}

export class AccountThrottle {
  readonly #entries = new Map<string, Entry>()
  readonly #options: ThrottleOptions
  readonly #now: () => number

  constructor(options: ThrottleOptions = DEFAULT_THROTTLE) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /** Seconds to wait before trying again, or 0 when a sign-in may proceed. */
  retryAfter(email: string): number {
    const entry = this.#live(canonicalEmail(email))
    if (entry === undefined || entry.failures < this.#options.maxFailures) return 0
    return Math.max(1, Math.ceil((entry.windowStart + this.#options.windowMs - this.#now()) / 1000))
  }

  recordFailure(email: string): void {
    const key = canonicalEmail(email)
    const entry = this.#live(key)
    if (entry !== undefined) {
      entry.failures++
      return
    }
    if (this.#entries.size >= this.#options.maxEntries) {
      // Map iteration order is insertion order: the first key is the oldest.
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(key, { failures: 1, windowStart: this.#now() })
  }

  recordSuccess(email: string): void {
    this.#entries.delete(canonicalEmail(email))
  }

  get size(): number {
    return this.#entries.size
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (this.#now() - entry.windowStart >= this.#options.windowMs) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }
}
