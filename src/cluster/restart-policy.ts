// When the primary replaces a worker that died, and when it stops trying.
// A worker that dies after it listened is replaced, sooner the first time,
// later when deaths come close together. A worker that dies before it
// listened points at the deployment (a database that refuses, a port in
// use): at first start that is fatal at once, as for one process; later,
// a few such deaths in a row end the primary rather than loop for ever.

export type Decision = { action: 'replace'; delayMs: number } | { action: 'give-up'; reason: string }

export interface RestartPolicyOptions {
  /** Start-up deaths in a row, after the gateway once served, that end it. */
  maxStartupFailures?: number
  /** First replacement's delay, in ms; doubled for each other death in the last `windowMs`. */
  baseDelayMs?: number
  maxDelayMs?: number
  windowMs?: number
  now?: () => number
}

export class RestartPolicy {
  readonly #maxStartupFailures: number
  readonly #baseDelayMs: number
  readonly #maxDelayMs: number
  readonly #windowMs: number
  readonly #now: () => number
  #deaths: number[] = []
  #startupFailures = 0
  #everStarted = false

  constructor(options: RestartPolicyOptions = {}) {
    this.#maxStartupFailures = options.maxStartupFailures ?? 5
    this.#baseDelayMs = options.baseDelayMs ?? 200
    this.#maxDelayMs = options.maxDelayMs ?? 10_000
    this.#windowMs = options.windowMs ?? 60_000
    this.#now = options.now ?? Date.now
  }

  /** A worker is listening: the deployment works, start-up failures so far were passing. */
  started(): void {
    this.#everStarted = true
    this.#startupFailures = 0
  }

  /** A worker died unexpectedly; `beforeListening`: it never served. */
  died(beforeListening: boolean): Decision {
    const now = this.#now()
    this.#deaths = [...this.#deaths.filter((t) => now - t < this.#windowMs), now]
    if (beforeListening) {
      if (!this.#everStarted)
        return { action: 'give-up', reason: 'a worker died before it could listen at first start' }
      if (++this.#startupFailures >= this.#maxStartupFailures)
        return {
          action: 'give-up',
          reason: `${this.#startupFailures} replacement workers in a row died before they could listen`,
        }
    }
    const delayMs = this.#baseDelayMs * 2 ** (this.#deaths.length - 1)
    return { action: 'replace', delayMs: Math.min(this.#maxDelayMs, delayMs) }
  }
}
