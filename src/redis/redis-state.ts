// SharedState (shared-state.ts) on REDIS_URL: counters as keys with an
// expiry under the deployment's prefix, topics as channels. Several gateway
// instances, and the workers of each, meet here.
import { deploymentPrefix, type RedisLink, type RedisLog } from './connection.ts'
import { type SharedState, topicChannel, type WindowCount } from './shared-state.ts'

/** The deployment at `publicUrl` on `link`; `log` hears failed subscriptions (retried on reconnect). */
export function redisSharedState(link: RedisLink, publicUrl: string, log: RedisLog): SharedState {
  const prefix = deploymentPrefix(publicUrl)
  return {
    carrier: 'redis',
    state: () => link.state(),
    async increment(key, windowMs) {
      const shared = prefix + key
      const replies = await link.commands
        .multi()
        .incr(shared)
        .pexpire(shared, windowMs, 'NX')
        .pttl(shared)
        .exec()
      return windowCount(replies?.[0]?.[1], replies?.[2]?.[1])
    },
    async peek(key) {
      const shared = prefix + key
      const replies = await link.commands.multi().get(shared).pttl(shared).exec()
      return windowCount(replies?.[0]?.[1] ?? 0, replies?.[1]?.[1])
    },
    async reset(key) {
      await link.commands.del(prefix + key)
    },
    async publish(topic, message) {
      await link.commands.publish(topicChannel(topic, publicUrl), message)
    },
    subscribe(topic, onMessage, onSubscribed) {
      const channel = topicChannel(topic, publicUrl)
      link.subscriber.on('message', (from: string, message: string) => {
        if (from === channel) onMessage(message)
      })
      link.onUp(() => {
        link.subscriber
          .subscribe(channel)
          .then(onSubscribed, (err: Error) =>
            log.warn({ err: err.message, channel }, 'redis: subscribe failed; retried on reconnect'),
          )
      })
    },
  }
}

/** A MULTI's count and PTTL replies as a WindowCount; a missing count is an error, not zero. */
function windowCount(count: unknown, pttl: unknown): WindowCount {
  const value = Number(count ?? Number.NaN)
  if (!Number.isFinite(value)) throw new Error('redis: no count in the reply')
  // PTTL: -2 no key, -1 no expiry (never set by the gateway): nothing to wait for.
  return { count: value, resetInMs: Math.max(0, Number(pttl) || 0) }
}
