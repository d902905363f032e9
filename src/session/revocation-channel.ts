// Revocations told to every instance (REDIS_URL) or every worker (WORKERS,
// through the cluster's primary): a sign-out or a revoked session on one
// evicts that session from every other's cache, and discards any lookup of
// it in flight there, instead of leaving it trusted for up to
// SESSION_CACHE_TTL_MS. The one that revokes publishes before its endpoint
// answers (auth's relays), so the others hear of it about as soon as the
// client does.
//
// Session tokens travel in the clear: one is published only once its row is
// deleted, when it no longer opens anything. While the carrier is down,
// nothing is heard: on reconnecting, a member subscribes again and then
// empties its cache, so a revocation missed in the outage cannot outlive it.
import { randomUUID } from 'node:crypto'
import { sharedOrLocal } from '../redis/fallback.ts'
import { type SharedState, topicChannel } from '../redis/shared-state.ts'

export type Revocation = { kind: 'session'; token: string } | { kind: 'user'; userId: string }

/** The shared state's topic for revocations. */
export const REVOCATIONS_TOPIC = 'revocations'

export interface RevocationChannelOptions {
  /** Redis (redis/redis-state.ts) or the cluster's IPC (cluster/worker-state.ts). */
  shared: SharedState
  /** Applies a revocation another instance published. */
  apply(revocation: Revocation): void
  /** Forgets everything revocable: run after each (re)subscription. */
  resync(): void
  log: { debug(obj: object, msg: string): void }
  /** How long a publish may hold the revoking response, in ms (default: redis/fallback.ts). */
  publishTimeoutMs?: number
}

export interface RevocationChannel {
  /** Tells the other instances. Resolves once the carrier has it, or has failed or timed out: never rejects. */
  publish(revocation: Revocation): Promise<void>
  /** Counts since start, for /metrics: taken by Redis, not (down, failed, timed out), heard from others. */
  readonly stats: { published: number; unpublished: number; received: number }
}

/** The Redis channel of the deployment whose public origin is `publicUrl`: its replicas share it, others do not. */
export function revocationChannelName(publicUrl: string): string {
  return topicChannel(REVOCATIONS_TOPIC, publicUrl)
}

export function openRevocationChannel(options: RevocationChannelOptions): RevocationChannel {
  const { shared, log } = options
  // Each instance skips its own messages: it applied them before publishing.
  const self = randomUUID()
  const stats = { published: 0, unpublished: 0, received: 0 }

  shared.subscribe(
    REVOCATIONS_TOPIC,
    (message) => {
      const revocation = parseMessage(message, self)
      if (revocation === undefined) return
      stats.received++
      options.apply(revocation)
    },
    () => options.resync(),
  )

  return {
    stats,
    async publish(revocation) {
      // Down (an outage is logged once by the carrier), failed or slower than
      // the timeout: the others fall back to SESSION_CACHE_TTL_MS.
      const message = revocationMessage(revocation, self)
      const taken = await sharedOrLocal(
        shared,
        () =>
          shared.publish(REVOCATIONS_TOPIC, message).then(
            () => true,
            (err: Error) => {
              log.debug({ err: err.message }, 'revocation channel: publish failed')
              return false
            },
          ),
        () => false,
        options.publishTimeoutMs,
      )
      if (taken) stats.published++
      else stats.unpublished++
    },
  }
}

/**
 * The text published for `revocation` by the sender `from` (any string that
 * no instance uses as its own id, e.g. `admin-cli:<pid>`): what parseMessage reads.
 */
export function revocationMessage(revocation: Revocation, from: string): string {
  return JSON.stringify({ from, ...revocation })
}

/** A well-formed revocation from another instance, or undefined (ours, or not one at all). */
export function parseMessage(message: string, self: string): Revocation | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(message)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { from, kind, token, userId } = parsed as Record<string, unknown>
  if (from === self || typeof from !== 'string') return undefined
  if (kind === 'session' && typeof token === 'string' && token !== '') return { kind, token }
  if (kind === 'user' && typeof userId === 'string' && userId !== '') return { kind, userId }
  return undefined
}
