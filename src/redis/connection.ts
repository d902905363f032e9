// The gateway's link to Redis (REDIS_URL), shared by whatever several
// instances must agree on. Redis is never on the request path and never a
// reason to fail: while it is unreachable each instance falls back to what
// it can do alone, says so once per outage, and reconnects by itself.
// Two connections, because one that subscribes can issue nothing else.
import { Redis, type RedisOptions } from 'ioredis'

export type RedisState = 'connecting' | 'up' | 'down'

export interface RedisLog {
  warn(obj: object, msg: string): void
  info(obj: object, msg: string): void
}

export interface RedisLink {
  /** For commands (PUBLISH, counters). Fails at once while Redis is down: nothing queues. */
  commands: Redis
  /** For SUBSCRIBE only. */
  subscriber: Redis
  /** 'up' once both connections are ready; 'down' from the first failure until both are back. */
  state(): RedisState
  /** Called on the first connect (at once if already connected) and each time both are ready after an outage. */
  onUp(listener: () => void): void
  close(): Promise<void>
}

const OPTIONS: RedisOptions = {
  // Reconnect for ever, backing off to one attempt every 2 s.
  retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  connectTimeout: 2000,
  maxRetriesPerRequest: 1,
  lazyConnect: false,
}

/**
 * Opens both connections to `url` (a redis:// or rediss:// URL); returns at
 * once, connected or not. `log` hears one warning per outage and one line
 * when it ends; the URL's password is never logged.
 */
export function connectRedis(url: string, log: RedisLog): RedisLink {
  const commands = new Redis(url, { ...OPTIONS, enableOfflineQueue: false, connectionName: 'gateway' })
  // Queues its SUBSCRIBE until connected; subscriptions are renewed by the
  // caller on every onUp, after which nothing published can have been missed.
  const subscriber = new Redis(url, {
    ...OPTIONS,
    autoResubscribe: false,
    connectionName: 'gateway-subscriber',
  })
  const where = redactedAddress(url)
  let state: RedisState = 'connecting'
  const listeners: (() => void)[] = []

  let closed = false
  const fail = (err: Error | undefined) => {
    if (state === 'down' || closed) return
    const wasUp = state === 'up'
    state = 'down'
    log.warn(
      { redis: where, err: err?.message },
      wasUp
        ? 'redis unreachable: each instance goes on alone (its own limits; revocations reach others within SESSION_CACHE_TTL_MS) until it returns'
        : 'redis unreachable at start; going on alone until it answers',
    )
  }
  const ready = () => {
    if (commands.status !== 'ready' || subscriber.status !== 'ready') return
    if (state === 'down') log.info({ redis: where }, 'redis reachable again')
    state = 'up'
    for (const listener of listeners) listener()
  }
  for (const client of [commands, subscriber]) {
    // Without a listener ioredis prints every failed attempt; fail() logs once.
    client.on('error', fail)
    client.on('close', () => {
      if (state === 'up') fail(undefined)
    })
    client.on('ready', ready)
  }

  return {
    commands,
    subscriber,
    state: () => state,
    onUp: (listener) => {
      listeners.push(listener)
      // Connected before this listener came (the app builds slower than Redis answers).
      if (state === 'up') listener()
    },
    async close() {
      closed = true // a shutdown, not an outage
      for (const client of [commands, subscriber]) client.disconnect(false)
    },
  }
}

/** host:port of a Redis URL, without credentials. */
export function redactedAddress(url: string): string {
  try {
    const { hostname, port } = new URL(url)
    return `${hostname}:${port || '6379'}`
  } catch {
    return 'redis'
  }
}

/** The key prefix of one deployment (its public origin): its instances share what is under it, others do not. */
export function deploymentPrefix(publicUrl: string): string {
  return `auth-gateway:${publicUrl}:`
}
