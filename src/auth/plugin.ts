import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.ts'
import { batchSessionLoads } from '../session/batch.ts'
import { SessionCache } from '../session/cache.ts'
import {
  createSessionLookup,
  type LookupSession,
  type ResolveSession,
  type SignedIn,
  type SignedInLookup,
} from '../session/lookup.ts'
import { prepareFindSessions } from '../session/rows.ts'
import { signedCookieVerifier } from '../session/signed-cookie.ts'
import { AccountThrottle } from './account-throttle.ts'
import { type Auth, createAuth, PASSWORD_HASH_CONCURRENCY, sessionCookieName } from './better-auth.ts'
import { type AuthHandler, createGuardedAuthHandler } from './guarded-handler.ts'
import { PasswordAdmission } from './password/admission.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Better Auth instance, for server-side calls. */
    auth: Auth
    /** The only way HTTP requests reach Better Auth (see guarded-auth.ts). */
    authHandler: AuthHandler
    /** Validates a Cookie header, through the session cache. */
    lookupSession: LookupSession
    /** The same, answering synchronously when no I/O is needed (the proxy's hot path). */
    resolveSession: ResolveSession
    sessionCache: SessionCache<SignedInLookup>
    passwordAdmission: PasswordAdmission
  }
}

async function authPlugin(app: FastifyInstance, { config }: { config: Config & { secret: string } }) {
  const cache = new SessionCache<SignedInLookup>({
    ttlMs: config.sessionCacheTtlMs,
    // Short: long enough to absorb a flood of garbage cookies, short enough
    // that a cookie minted a moment later (replication lag) is soon seen.
    negativeTtlMs: Math.min(2000, config.sessionCacheTtlMs),
    maxEntries: 50_000,
    maxNegativeEntries: 10_000,
    // ~32 MB of identity text at most (JS strings take 1–2 bytes a character).
    maxSize: 16 * 1024 * 1024,
    sizeOf: identitySize,
  })
  const auth = createAuth({
    config,
    db: app.database.db,
    log: app.log,
    onSessionDeleted: (token) => cache.evictToken(token),
    onUserChanged: (userId) => cache.evictUser(userId),
  })
  app.decorate('auth', auth)
  const admission = new PasswordAdmission({
    // One more than the hasher runs, so the next request's database work
    // overlaps the current hash and the hasher never idles in a storm.
    concurrency: PASSWORD_HASH_CONCURRENCY + 1,
    // ~100 ms of hashing each: a full queue is several seconds of waiting,
    // about as long as anyone waits for a sign-in form to answer.
    maxQueued: 64,
    maxPerClient: 3,
  })
  app.decorate('passwordAdmission', admission)
  app.decorate('authHandler', createGuardedAuthHandler(auth, new AccountThrottle(), admission))
  app.decorate('sessionCache', cache)
  const { sessionConfig } = await auth.$context
  const loadRow = batchSessionLoads(prepareFindSessions(app.database.db))
  const { lookupSession, resolveSession } = createSessionLookup({
    auth,
    cache,
    cookieName: sessionCookieName(config.secureCookies),
    verifyCookie: signedCookieVerifier(config.secret),
    loadRow,
    sessionConfig,
  })
  app.decorate('lookupSession', lookupSession)
  app.decorate('resolveSession', resolveSession)
}

/** Characters an entry holds: the identity and its encoded headers. */
function identitySize({ identity, headers }: SignedIn): number {
  let size = identity.userId.length + identity.email.length + identity.name.length
  for (const name in headers) size += name.length + (headers[name] as string).length
  return size
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database'] })
