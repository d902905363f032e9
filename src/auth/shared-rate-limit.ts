// Better Auth's rate limits (per client IP and path) kept in Redis, so every
// instance counts against one budget; while Redis is down, each instance
// counts alone (src/redis/fallback.ts). A fixed window per key (INCR, then
// an expiry set only by the first request), as Better Auth's own
// secondary-storage limiter does; the check and the increment are one step,
// so simultaneous requests cannot all pass a stale read.
import type { BetterAuthOptions } from 'better-auth'
import type { RedisLink } from '../redis/connection.ts'
import { sharedOrLocal } from '../redis/fallback.ts'

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
 * A Better Auth `rateLimit.customStorage` on `link`, keys under `prefix`.
 * `local` decides while Redis is down or slow.
 */
export function sharedRateLimitStorage(
  link: RedisLink,
  prefix: string,
  local = new LocalWindows(),
): RateLimitStorage {
  return {
    consume: (key, rule) =>
      sharedOrLocal(
        link,
        async () => {
          const shared = `${prefix}rate-limit:${key}`
          const replies = await link.commands
            .multi()
            .incr(shared)
            .expire(shared, rule.window, 'NX')
            .pttl(shared)
            .exec()
          const count = Number(replies?.[0]?.[1])
          const ttl = Number(replies?.[2]?.[1])
          if (!Number.isFinite(count)) throw new Error('rate limit: no count from Redis')
          if (count <= rule.max) return { allowed: true, retryAfter: null }
          return { allowed: false, retryAfter: Math.max(1, Math.ceil(ttl / 1000)) }
        },
        () => local.consume(key, rule),
      ),
  }
}
