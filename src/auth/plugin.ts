// Better Auth and the door to it. What the rest of the gateway needs to know
// about sessions changing (sign-out, revocation, profile edits) it learns from
// `authEvents`, so auth/ never imports the session cache that listens.
import { EventEmitter } from 'node:events'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.ts'
import { legacyCookieMover, type MoveLegacyCookies } from '../http/legacy-cookies.ts'
import { signedCookieVerifier } from '../http/signed-cookie.ts'
import { AccountThrottle } from './account-throttle.ts'
import { type Auth, createAuth, PASSWORD_HASH_CONCURRENCY } from './better-auth.ts'
import { type AuthHandler, createGuardedAuthHandler } from './guarded-handler.ts'
import { PasswordAdmission } from './password/admission.ts'
import { SharedAccountThrottle } from './shared-account-throttle.ts'
import { sharedRateLimitStorage } from './shared-rate-limit.ts'

/**
 * Emitted synchronously from Better Auth's database hooks, after the change
 * is committed and before the endpoint answers, so a listener's reaction
 * (the cache forgetting a session) lands before the client's next request.
 */
export interface AuthEventMap {
  /** A session row was deleted; the argument is its token. */
  'session-deleted': [token: string]
  /** A user was updated or deleted; the argument is the user id. */
  'user-changed': [userId: string]
}

/**
 * Passes an auth event on with its one argument (a token, a user id); must
 * settle promptly and never reject: a failed relay must not fail a sign-out.
 */
export type AuthEventRelay = (event: keyof AuthEventMap, subject: string) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    /** The Better Auth instance, for server-side calls. */
    auth: Auth
    /** Session and user changes, for caches that must forget them. */
    authEvents: EventEmitter<AuthEventMap>
    /**
     * Awaited after authEvents' listeners, before the endpoint that caused the
     * event answers: e.g. telling other instances (session/revocation-channel.ts).
     */
    authEventRelays: AuthEventRelay[]
    /** The only way HTTP requests reach Better Auth (see guarded-handler.ts). */
    authHandler: AuthHandler
    passwordAdmission: PasswordAdmission
    /** On https: moves `__Secure-` cookies from before the `__Host-` prefix (legacy-cookies.ts); else undefined. */
    moveLegacyCookies: MoveLegacyCookies | undefined
  }
}

async function authPlugin(app: FastifyInstance, { config }: { config: Config & { secret: string } }) {
  const events = new EventEmitter<AuthEventMap>()
  const relays: AuthEventRelay[] = []
  const announce = async (event: keyof AuthEventMap, subject: string) => {
    events.emit(event, subject)
    await Promise.all(relays.map((relay) => relay(event, subject)))
  }
  // With REDIS_URL every instance (and worker) of this deployment counts
  // against one budget; with WORKERS alone, every worker of this instance.
  const shared = app.sharedState
  const auth = createAuth({
    config,
    db: app.database.db,
    log: app.log,
    onSessionDeleted: (token) => announce('session-deleted', token),
    onUserChanged: (userId) => announce('user-changed', userId),
    rateLimitStorage: shared && sharedRateLimitStorage(shared),
  })
  const admission = new PasswordAdmission({
    // One more than the hasher runs, so the next request's database work
    // overlaps the current hash and the hasher never idles in a storm.
    concurrency: PASSWORD_HASH_CONCURRENCY + 1,
    // A full queue is several seconds of waiting: about as long as anyone
    // waits for a sign-in form to answer (docs/operations.md).
    maxQueued: 64,
    maxPerClient: 3,
  })
  app.decorate('auth', auth)
  app.decorate('authEvents', events)
  app.decorate('authEventRelays', relays)
  app.decorate('passwordAdmission', admission)
  // The name as Better Auth resolved it (a __Host- prefix on https).
  const { authCookies, sessionConfig } = await auth.$context
  const verifySigned = signedCookieVerifier(config.secret)
  const moveLegacyCookies = config.secureCookies
    ? legacyCookieMover({
        until: config.legacySessionCookiesUntil,
        sessionMaxAgeSeconds: sessionConfig.expiresIn,
        isSigned: (value) => verifySigned(value) !== undefined,
        onIgnored: once(() =>
          app.log.warn(
            'a __Secure- session cookie from before the __Host- prefix was ignored and cleared; ' +
              'set LEGACY_SESSION_COOKIES_UNTIL to keep such sessions during a migration',
          ),
        ),
      })
    : undefined
  const cookies = {
    cookieName: authCookies.sessionToken.name,
    publicUrl: config.publicUrl,
    moveLegacyCookies,
  }
  app.decorate('moveLegacyCookies', moveLegacyCookies)
  const throttle =
    shared === undefined ? new AccountThrottle() : new SharedAccountThrottle(new AccountThrottle(), shared)
  app.decorate('authHandler', createGuardedAuthHandler(auth, throttle, admission, cookies, app.metrics?.auth))
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database', 'redis', 'metrics'] })

function once(action: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    action()
  }
}
