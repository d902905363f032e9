// The upstream connection pool, with one way out of it: a retry goes on a
// connection of its own. When an upstream closes idle connections, several
// pooled ones go stale at once, and a retry handed back to the pool would
// often meet the next stale one (docs/architecture.md, "Proxy fidelity").
import { Client, Dispatcher, Pool } from 'undici'

const FRESH = Symbol('fresh upstream connection')

type MarkedHeaders = Record<string | symbol, unknown>

/**
 * Marks a request's headers so that its next dispatch opens a new
 * connection. reply-from copies headers with Object.assign, which keeps
 * symbol keys; undici reads only string keys, so the mark never goes out.
 */
export function onFreshConnection(headers: MarkedHeaders): void {
  headers[FRESH] = true
}

/**
 * A Pool of keep-alive connections to one origin (`options` as undici's
 * Pool.Options), except for requests marked by onFreshConnection, which get
 * a one-off Client that closes once they are answered.
 */
export class UpstreamPool extends Dispatcher {
  readonly #pool: Pool
  readonly #origin: string
  readonly #options: Client.Options

  constructor(origin: string, options: Pool.Options) {
    super()
    this.#origin = origin
    this.#options = options
    this.#pool = new Pool(origin, options)
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers = options.headers as MarkedHeaders | undefined
    if (headers?.[FRESH] !== true) return this.#pool.dispatch(options, handler)
    const client = new Client(this.#origin, this.#options)
    const accepted = client.dispatch(options, handler)
    // Graceful: the request in flight is answered first.
    client.close().catch(() => {})
    return accepted
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    if (callback === undefined) return this.#pool.close()
    this.#pool.close(callback)
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' ? null : (a ?? null)
    const callback = typeof a === 'function' ? a : b
    if (callback === undefined) return this.#pool.destroy(err)
    this.#pool.destroy(err, callback)
  }
}
