// Admission control for the endpoints that hash a password (sign-in, sign-up,
// change-password, …). The hashing itself runs one at a time off the event
// loop (password-hashing.ts), but each of these requests also costs the event
// loop ~6 ms of Better Auth work around its hash (measured: main-thread CPU per
// sign-in, with hashing made free). Eight sign-ins that arrive together used to
// enter Better Auth together and spend that at once, and every proxied request
// waited behind them: the proxied p99 doubled or tripled at the start of a
// sign-in storm. Only as many enter as the hasher can use (its concurrency + 1,
// so the next one's database work overlaps the current hash); the rest wait
// their turn, which costs them nothing they were not already waiting for.
//
// The wait is bounded: a flood beyond `maxQueued` is refused (503, try again)
// instead of queued without limit, and one client address may hold at most
// `maxPerClient` places, so a single address cannot fill the queue by itself
// (Better Auth allows an address 3 of these requests per 10 s anyway).

export interface PasswordAdmissionOptions {
  /** Requests inside Better Auth at once. */
  concurrency: number
  /** Requests waiting for a place; beyond this, a request is refused as busy. */
  maxQueued: number
  /** Places (inside or waiting) one client address may hold. */
  maxPerClient: number
}

export type Refusal = 'busy' | 'client'

export class PasswordAdmission {
  readonly #options: PasswordAdmissionOptions
  #inside = 0
  readonly #waiting: Array<() => void> = []
  readonly #heldByClient = new Map<string, number>()
  /** Refusals since start, for /metrics. */
  readonly stats = { refusedBusy: 0, refusedClient: 0 }

  constructor(options: PasswordAdmissionOptions) {
    this.#options = options
  }

  get depth(): { inside: number; waiting: number } {
    return { inside: this.#inside, waiting: this.#waiting.length }
  }

  /** Runs `work` once admitted, or answers `refused(reason)` at once. */
  async run<T>(client: string, work: () => Promise<T>, refused: (reason: Refusal) => T): Promise<T> {
    const held = this.#heldByClient.get(client) ?? 0
    if (held >= this.#options.maxPerClient) {
      this.stats.refusedClient++
      return refused('client')
    }
    const full = this.#inside >= this.#options.concurrency
    if (full && this.#waiting.length >= this.#options.maxQueued) {
      this.stats.refusedBusy++
      return refused('busy')
    }
    this.#heldByClient.set(client, held + 1)
    try {
      // A waiter is woken by the request leaving, which hands it its place.
      if (full) await new Promise<void>((resolve) => this.#waiting.push(resolve))
      else this.#inside++
      try {
        return await work()
      } finally {
        const next = this.#waiting.shift()
        if (next !== undefined) next()
        else this.#inside--
      }
    } finally {
      const left = (this.#heldByClient.get(client) as number) - 1
      if (left === 0) this.#heldByClient.delete(client)
      else this.#heldByClient.set(client, left)
    }
  }
}
