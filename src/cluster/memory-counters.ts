// The counters the workers of one instance share without Redis: fixed
// windows in the primary's memory, with the same arithmetic as Redis's
// INCR + PEXPIRE NX + PTTL (redis/redis-state.ts), so a limit means the
// same whichever carrier counts it.
import type { WindowCount } from '../redis/shared-state.ts'

/** Bound on memory (a flood of distinct client addresses): the oldest windows go first. */
export const MAX_WINDOWS = 100_000

export class MemoryCounters {
  readonly #windows = new Map<string, { count: number; resetAt: number }>()

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxWindows = MAX_WINDOWS,
  ) {}

  /** Adds one to `key`; the first increment starts a window of `windowMs` (ms) that later ones do not extend. */
  increment(key: string, windowMs: number): WindowCount {
    const now = this.now()
    let window = this.#live(key, now)
    if (window === undefined) {
      // O(1) even under a flood of distinct keys: Map order is insertion order.
      if (this.#windows.size >= this.maxWindows)
        this.#windows.delete(this.#windows.keys().next().value as string)
      window = { count: 0, resetAt: now + windowMs }
      this.#windows.set(key, window)
    }
    window.count++
    return { count: window.count, resetInMs: window.resetAt - now }
  }

  /** `key`'s count and the ms left in its window; { count: 0, resetInMs: 0 } when it has none. */
  peek(key: string): WindowCount {
    const now = this.now()
    const window = this.#live(key, now)
    return window === undefined
      ? { count: 0, resetInMs: 0 }
      : { count: window.count, resetInMs: window.resetAt - now }
  }

  reset(key: string): void {
    this.#windows.delete(key)
  }

  get size(): number {
    return this.#windows.size
  }

  #live(key: string, now: number) {
    const window = this.#windows.get(key)
    if (window === undefined || window.resetAt > now) return window
    this.#windows.delete(key)
    return undefined
  }
}
