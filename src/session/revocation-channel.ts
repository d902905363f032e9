// Revocations told to every instance (REDIS_URL): a sign-out or a revoked
// session on one instance evicts that session from every other instance's
// cache, and discards any lookup of it in flight there, instead of leaving
// it trusted for up to SESSION_CACHE_TTL_MS. The instance that revokes
// publishes before its endpoint answers (auth's relays), so the others hear
// of it about as soon as the client does.
//
// Session tokens travel in the clear: one is published only once its row is
// deleted, when it no longer opens anything. While Redis is down, nothing is
// heard: on reconnecting, an instance subscribes again and then empties its
// cache, so a revocation missed in the outage cannot outlive it.
import { randomUUID } from 'node:crypto'
import type { RedisLink } from '../redis/connection.ts'
import { sharedOrLocal } from '../redis/fallback.ts'

export type Revocation = { kind: 'session'; token: string } | { kind: 'user'; userId: string }

export interface RevocationChannelOptions {
  link: RedisLink
  /** Shared by the instances of one deployment (revocationChannelName). */
  channel: string
  /** Applies a revocation another instance published. */
  apply(revocation: Revocation): void
  /** Forgets everything revocable: run after each (re)subscription. */
  resync(): void
  log: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void }
  /** How long a publish may hold the revoking response, in ms (default: redis/fallback.ts). */
  publishTimeoutMs?: number
}

export interface RevocationChannel {
  /** Tells the other instances. Resolves once Redis has it, or has failed or timed out: never rejects. */
  publish(revocation: Revocation): Promise<void>
  /** Counts since start, for /metrics: taken by Redis, not (down, failed, timed out), heard from others. */
  readonly stats: { published: number; unpublished: number; received: number }
}

/** The channel of the deployment whose public origin is `publicUrl`: its replicas share it, others do not. */
export function revocationChannelName(publicUrl: string): string {
  return `auth-gateway:revocations:${publicUrl}`
}

export function openRevocationChannel(options: RevocationChannelOptions): RevocationChannel {
  const { link, channel, log } = options
  // Each instance skips its own messages: it applied them before publishing.
  const self = randomUUID()
  const stats = { published: 0, unpublished: 0, received: 0 }

  link.subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return
    const revocation = parseMessage(message, self)
    if (revocation === undefined) return
    stats.received++
    options.apply(revocation)
  })
  link.onUp(() => {
    link.subscriber.subscribe(channel).then(
      () => options.resync(),
      (err: Error) =>
        log.warn({ err: err.message }, 'revocation channel: subscribe failed; retried on reconnect'),
    )
  })

  return {
    stats,
    async publish(revocation) {
      // Down (the outage is logged once by the link), failed or slower than
      // the timeout: the others fall back to SESSION_CACHE_TTL_MS.
      const message = revocationMessage(revocation, self)
      const taken = await sharedOrLocal(
        link,
        () =>
          link.commands.publish(channel, message).then(
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
