// What the processes of one deployment share, whatever carries it: counters
// in fixed windows, and topics every member hears. Two carriers implement
// it: Redis between instances (redis-state.ts), and the node:cluster IPC
// between the workers of one instance (src/cluster/worker-state.ts). The
// pieces that need sharing (auth/shared-rate-limit.ts,
// auth/shared-account-throttle.ts, session/revocation-channel.ts) see only
// this, and decide alone whenever it does not answer (fallback.ts).

/** 'up' while the carrier answers; 'down' from its first failure until it is back. */
export type SharedStateStatus = 'connecting' | 'up' | 'down'

/** A fixed window's count, and the time until it ends (ms; 0 when the key holds nothing). */
export interface WindowCount {
  count: number
  resetInMs: number
}

export interface SharedState {
  /** Which carrier, for logs: `redis` or `cluster`. */
  readonly carrier: 'redis' | 'cluster'
  state(): SharedStateStatus
  /**
   * Adds one to `key`'s count; the first increment starts a window of
   * `windowMs` that later ones do not extend (Redis `PEXPIRE … NX`). One
   * step, so simultaneous callers never both read a stale count. Rejects
   * when the carrier fails; callers race it against a timeout (fallback.ts).
   */
  increment(key: string, windowMs: number): Promise<WindowCount>
  /** `key`'s count without changing it ({ count: 0, resetInMs: 0 } when none). */
  peek(key: string): Promise<WindowCount>
  /** Forgets `key`'s window. */
  reset(key: string): Promise<void>
  /** Resolves once every other member has it (or the carrier has taken it); rejects when it fails. */
  publish(topic: string, message: string): Promise<void>
  /**
   * Hears `topic`: `onMessage` gets what other members publish (possibly this
   * one's own too: messages say who sent them); `onSubscribed` runs after each
   * (re)subscription, from which point nothing published can have been missed.
   */
  subscribe(topic: string, onMessage: (message: string) => void, onSubscribed: () => void): void
}

/** The Redis channel of `topic` in the deployment at `publicUrl`. */
export function topicChannel(topic: string, publicUrl: string): string {
  return `auth-gateway:${topic}:${publicUrl}`
}
