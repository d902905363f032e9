// Better Auth's rate limits (per client IP and path) kept in the shared
// state (Redis, or the cluster's primary), so every instance and worker
// counts against one budget; while it is down, each counts alone
// (src/redis/fallback.ts). A fixed window per key (incremented, with an
// expiry set only by the first request), as Better Auth's own
// secondary-storage limiter does; the check and the increment are one step,
// so simultaneous requests cannot all pass a stale read.
import type { BetterAuthOptions } from 'better-auth'
import { sharedOrLocal } from '../redis/fallback.ts'
import type { SharedState } from '../redis/shared-state.ts'

/** Better Auth's `rateLimit.customStorage`: one atomic consume per request. */
export type RateLimitStorage = NonNullable<NonNullable<BetterAuthOptions['rateLimit']>['customStorage']>
type Decision = Awaited<ReturnType<RateLimitStorage['consume']>>
type Rule = Parameters<RateLimitStorage['consume']>[1]

/** Bound on memory while Redis is down: the oldest windows go first. */
const MAX_LOCAL_WINDOWS = 100_000

/** The same fixed window in this process's memory: what decides while Redis is down or slow. */
export class LocalWindows {
  readonly #windows = new Map<string, { count: number; resetAt: number }>()
  constructor(private readonly now: () => number = Date.now) {}

  consume(key: string, rule: Rule): Decision {
    const now = this.now()
    let window = this.#windows.get(key)
    if (window === undefined || window.resetAt <= now) {
      this.#windows.delete(key)
      // O(1) even under a flood of distinct keys: Map order is insertion order.
      if (this.#windows.size >= MAX_LOCAL_WINDOWS)
        this.#windows.delete(this.#windows.keys().next().value as string)
      window = { count: 0, resetAt: now + rule.window * 1000 }
      this.#windows.set(key, window)
    }
    window.count++
    if (window.count <= rule.max) return { allowed: true, retryAfter: null }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) }
  }
}

/**
 * A Better Auth `rateLimit.customStorage` on `shared` (keys `rate-limit:<key>`).
 * `local` decides while the shared state is down or slow.
 */
export function sharedRateLimitStorage(shared: SharedState, local = new LocalWindows()): RateLimitStorage {
  return {
    consume: (key, rule) =>
      sharedOrLocal(
        shared,
        async () => {
          const { count, resetInMs } = await shared.increment(`rate-limit:${key}`, rule.window * 1000)
          if (count <= rule.max) return { allowed: true, retryAfter: null }
          return { allowed: false, retryAfter: Math.max(1, Math.ceil(resetInMs / 1000)) }
        },
        () => local.consume(key, rule),
      ),
  }
}
