// Admission control for the endpoints that hash a password: only as many
// enter Better Auth as the hasher can use, so a sign-in storm cannot spend the
// event loop all at once and stall proxied traffic. The line is bounded (a
// flood is refused, one address holds a few places) and a client that leaves
// leaves the line (docs/operations.md, "Password requests").

export interface PasswordAdmissionOptions {
  /** Requests inside Better Auth at once. */
  concurrency: number
  /** Requests waiting for a place; beyond this, a request is refused as busy. */
  maxQueued: number
  /** Places (inside or waiting) one client address may hold. */
  maxPerClient: number
}

export type Refusal = 'busy' | 'client' | 'gone'

export class PasswordAdmission {
  readonly #options: PasswordAdmissionOptions
  #inside = 0
  readonly #waiting: Array<() => void> = []
  readonly #heldByClient = new Map<string, number>()
  /** Refusals since start, for /metrics. */
  readonly stats = { refusedBusy: 0, refusedClient: 0, abandoned: 0 }

  constructor(options: PasswordAdmissionOptions) {
    this.#options = options
  }

  get depth(): { inside: number; waiting: number } {
    return { inside: this.#inside, waiting: this.#waiting.length }
  }

  /**
   * Runs `work` once admitted, or answers `refused(reason)`: at once when
   * the queue or the client's share is full, or as soon as `clientGone`
   * aborts while the request waits.
   */
  async run<T>(
    client: string,
    work: () => Promise<T>,
    refused: (reason: Refusal) => T,
    clientGone?: AbortSignal,
  ): Promise<T> {
    if (clientGone?.aborted) {
      this.stats.abandoned++
      return refused('gone')
    }
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
      if (!full) this.#inside++
      else if (!(await this.#wait(clientGone))) {
        this.stats.abandoned++
        return refused('gone')
      }
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

  /**
   * Resolves true when a leaving request hands this one its place, false if
   * the client goes first (and then this one no longer holds a place in line).
   */
  #wait(clientGone: AbortSignal | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const admit = () => {
        clientGone?.removeEventListener('abort', leave)
        resolve(true)
      }
      const leave = () => {
        this.#waiting.splice(this.#waiting.indexOf(admit), 1)
        resolve(false)
      }
      this.#waiting.push(admit)
      clientGone?.addEventListener('abort', leave, { once: true })
    })
  }
}
