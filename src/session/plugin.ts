// The session cache and the lookups that read through it. Exact revocation:
// the cache forgets a session the moment Better Auth deletes it (authEvents),
// on this instance, before the endpoint that deleted it answers; with
// REDIS_URL or WORKERS, on every other instance or worker too (revocation-channel.ts).
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.ts'
import { signedCookieVerifier } from '../http/signed-cookie.ts'
import type { SharedState } from '../redis/shared-state.ts'
import { batchSessionLoads } from './batch.ts'
import { SessionCache } from './cache.ts'
import {
  createSessionLookup,
  type LookupSession,
  type ResolvedIdentity,
  type ResolveSession,
  type SignedInResult,
} from './lookup.ts'
import { openRevocationChannel, type RevocationChannel } from './revocation-channel.ts'
import { prepareFindSessions } from './rows.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Validates a Cookie header, through the session cache. */
    lookupSession: LookupSession
    /** The same, answering synchronously when no I/O is needed (the proxy's hot path). */
    resolveSession: ResolveSession
    sessionCache: SessionCache<SignedInResult>
    /** The revocations shared through REDIS_URL or between WORKERS; undefined for one lone process. */
    revocationChannel: RevocationChannel | undefined
  }
}

async function sessionPlugin(app: FastifyInstance, { config }: { config: Config & { secret: string } }) {
  const cache = new SessionCache<SignedInResult>({
    ttlMs: config.sessionCacheTtlMs,
    // Short: long enough to absorb a flood of garbage cookies, short enough
    // that a cookie minted a moment later (replication lag) is soon seen.
    negativeTtlMs: Math.min(2000, config.sessionCacheTtlMs),
    maxEntries: 50_000,
    maxNegativeEntries: 10_000,
    // Bounds memory by the identity text held, whatever the entry count.
    maxSize: 16 * 1024 * 1024,
    sizeOf: identitySize,
  })
  app.authEvents.on('session-deleted', (token) => {
    cache.evictToken(token)
    app.assertionMinter.forget(token)
  })
  app.authEvents.on('user-changed', (userId) => cache.evictUser(userId))
  app.decorate('sessionCache', cache)
  app.decorate('revocationChannel', app.sharedState && shareRevocations(app, app.sharedState, cache))

  // Name and lifetimes as Better Auth resolved them, never rebuilt here.
  const { authCookies, sessionConfig } = await app.auth.$context
  const { lookupSession, resolveSession } = createSessionLookup({
    auth: app.auth,
    cache,
    cookieName: authCookies.sessionToken.name,
    verifyCookie: signedCookieVerifier(config.secret),
    loadRow: batchSessionLoads(prepareFindSessions(app.database.db)),
    sessionConfig,
    moveLegacyCookies: app.moveLegacyCookies,
    mintAssertion: config.assertion.enabled ? (subject) => app.assertionMinter.mint(subject) : undefined,
  })
  app.decorate('lookupSession', lookupSession)
  app.decorate('resolveSession', resolveSession)
}

/** With shared state: this process's revocations published, the others' applied to `cache`. */
function shareRevocations(
  app: FastifyInstance,
  shared: SharedState,
  cache: SessionCache<SignedInResult>,
): RevocationChannel {
  const channel = openRevocationChannel({
    shared,
    apply: (revocation) => {
      if (revocation.kind === 'user') return cache.evictUser(revocation.userId)
      cache.evictToken(revocation.token)
      app.assertionMinter.forget(revocation.token)
    },
    resync: () => cache.clear(),
    log: app.log,
  })
  app.authEventRelays.push((event, subject) =>
    channel.publish(
      event === 'session-deleted' ? { kind: 'session', token: subject } : { kind: 'user', userId: subject },
    ),
  )
  return channel
}

/** Characters an entry holds: the identity and its encoded headers. */
function identitySize({ identity, headers }: ResolvedIdentity): number {
  let size = identity.userId.length + identity.email.length + identity.name.length
  for (const name in headers) size += name.length + (headers[name] as string).length
  return size
}

export default fp(sessionPlugin, { name: 'session', dependencies: ['auth', 'assertion', 'redis'] })
