// After the CLI deletes a user's sessions, the running gateway instances
// must stop honouring the copies in their session caches. With REDIS_URL it
// publishes {kind:'user', userId} on the deployment's revocation channel
// (src/session/revocation-channel.ts), which every instance applies at once.
// Without it, say how long the caches may still serve them.
import { Redis } from 'ioredis'
import type { Config } from '../../src/config/config.ts'
import { redactedAddress } from '../../src/redis/connection.ts'
import { revocationChannelName, revocationMessage } from '../../src/session/revocation-channel.ts'
import type { Output } from './output.ts'

/** What became of the announcement. */
export interface RevocationReport {
  /** True when Redis took the message. */
  published: boolean
  /** How many gateway instances were subscribed and got it; null when not published. */
  instances: number | null
}

/**
 * Tells the gateway instances of `config`'s deployment that `userId`'s
 * sessions are gone. Never throws: a Redis that cannot be reached (2 s) is a
 * warning on `out`, as the database change has already been made and caches
 * end within SESSION_CACHE_TTL_MS anyway.
 */
export async function announceUserRevoked(
  config: Pick<Config, 'redisUrl' | 'publicUrl' | 'sessionCacheTtlMs' | 'database'>,
  userId: string,
  out: Output,
): Promise<RevocationReport> {
  const ttl = `SESSION_CACHE_TTL_MS (${config.sessionCacheTtlMs} ms)`
  if (config.redisUrl === undefined) {
    // The embedded database: this process holds it, so no gateway runs on it.
    if (config.database.driver !== 'pglite') {
      out.warn(
        `REDIS_URL is not set: a running gateway may still accept this user's cached sessions for up to ${ttl}`,
      )
    }
    return { published: false, instances: null }
  }
  const client = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  // Reported below, once; without a listener ioredis prints every failure itself.
  client.on('error', () => {})
  try {
    await client.connect()
    const message = revocationMessage({ kind: 'user', userId }, `admin-cli:${process.pid}`)
    const instances = await client.publish(revocationChannelName(config.publicUrl), message)
    return { published: true, instances }
  } catch (err) {
    out.warn(
      `could not reach Redis at ${redactedAddress(config.redisUrl)} (${(err as Error).message}): ` +
        `running gateways may still accept this user's cached sessions for up to ${ttl}`,
    )
    return { published: false, instances: null }
  } finally {
    client.disconnect()
  }
}

/** The lines a person reads about `report`. */
export function describeRevocation(report: RevocationReport): string {
  if (!report.published) return 'running gateways not told (see above)'
  return `told ${report.instances} running gateway instance(s) through Redis`
}
