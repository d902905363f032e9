// The per-account limit on failed sign-ins (account-throttle.ts) counted in
// Redis, so failures spread over several instances add up: N instances no
// longer allow N times the attempts. The email is hashed into the key, so
// Redis holds no address. Failures are counted locally as well: while Redis
// is down or slow each instance decides alone, on what it saw.
import { createHash } from 'node:crypto'
import type { RedisLink } from '../redis/connection.ts'
import { sharedOrLocal } from '../redis/fallback.ts'
import {
  type AccountThrottle,
  canonicalEmail,
  DEFAULT_THROTTLE,
  type ThrottleOptions,
} from './account-throttle.ts'

export class SharedAccountThrottle {
  constructor(
    private readonly local: AccountThrottle,
    private readonly link: RedisLink,
    /** Keys' prefix: one deployment's instances share it. */
    private readonly prefix: string,
    private readonly options: Pick<ThrottleOptions, 'maxFailures' | 'windowMs'> = DEFAULT_THROTTLE,
  ) {}

  #key(email: string): string {
    const digest = createHash('sha256').update(canonicalEmail(email)).digest('base64url')
    return `${this.prefix}sign-in-failures:${digest}`
  }

  /** Seconds to wait before trying again, or 0 when a sign-in may proceed. */
  retryAfter(email: string): Promise<number> {
    return sharedOrLocal(
      this.link,
      async () => {
        const key = this.#key(email)
        const replies = await this.link.commands.multi().get(key).pttl(key).exec()
        const failures = Number(replies?.[0]?.[1] ?? 0)
        if (failures < this.options.maxFailures) return 0
        return Math.max(1, Math.ceil(Number(replies?.[1]?.[1]) / 1000))
      },
      () => this.local.retryAfter(email),
    )
  }

  async recordFailure(email: string): Promise<void> {
    this.local.recordFailure(email)
    const key = this.#key(email)
    // The window starts at the first failure (NX: later ones do not extend it), as locally.
    await sharedOrLocal(
      this.link,
      async () =>
        void (await this.link.commands.multi().incr(key).pexpire(key, this.options.windowMs, 'NX').exec()),
      () => undefined,
    )
  }

  async recordSuccess(email: string): Promise<void> {
    this.local.recordSuccess(email)
    await sharedOrLocal(
      this.link,
      async () => void (await this.link.commands.del(this.#key(email))),
      () => undefined,
    )
  }
}
