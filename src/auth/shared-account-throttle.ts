// The per-account limit on failed sign-ins (account-throttle.ts) counted in
// the shared state (Redis, or the cluster's primary), so failures spread over
// several instances or workers add up: N of them no longer allow N times the
// attempts. The email is hashed into the key, so Redis holds no address.
// Failures are counted locally as well: while the shared state is down or
// slow each process decides alone, on what it saw.
import { createHash } from 'node:crypto'
import { sharedOrLocal } from '../redis/fallback.ts'
import type { SharedState } from '../redis/shared-state.ts'
import {
  type AccountThrottle,
  canonicalEmail,
  DEFAULT_THROTTLE,
  type ThrottleOptions,
} from './account-throttle.ts'

export class SharedAccountThrottle {
  constructor(
    private readonly local: AccountThrottle,
    private readonly shared: SharedState,
    private readonly options: Pick<ThrottleOptions, 'maxFailures' | 'windowMs'> = DEFAULT_THROTTLE,
  ) {}

  #key(email: string): string {
    const digest = createHash('sha256').update(canonicalEmail(email)).digest('base64url')
    return `sign-in-failures:${digest}`
  }

  /** Seconds to wait before trying again, or 0 when a sign-in may proceed. */
  retryAfter(email: string): Promise<number> {
    return sharedOrLocal(
      this.shared,
      async () => {
        const { count, resetInMs } = await this.shared.peek(this.#key(email))
        if (count < this.options.maxFailures) return 0
        return Math.max(1, Math.ceil(resetInMs / 1000))
      },
      () => this.local.retryAfter(email),
    )
  }

  async recordFailure(email: string): Promise<void> {
    this.local.recordFailure(email)
    // The window starts at the first failure (later ones do not extend it), as locally.
    await sharedOrLocal(
      this.shared,
      async () => void (await this.shared.increment(this.#key(email), this.options.windowMs)),
      () => undefined,
    )
  }

  async recordSuccess(email: string): Promise<void> {
    this.local.recordSuccess(email)
    await sharedOrLocal(
      this.shared,
      () => this.shared.reset(this.#key(email)),
      () => undefined,
    )
  }
}
