// The Better Auth instance: email + password on Drizzle, with every setting
// that Better Auth would otherwise derive from NODE_ENV made explicit, so the
// gateway behaves the same in tests, development and production.
// better-auth/minimal: the documented entry point when the database adapter is
// supplied (Drizzle here); it leaves out Kysely and its memory (docs/performance.md).

import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { betterAuth } from 'better-auth/minimal'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/client.ts'
import * as schema from '../../db/schema.ts'
import type { Config } from '../config/config.ts'
import { hostPrefixedCookies } from '../http/cookie-names.ts'
import { refuseDisabledUser, type UserStatus } from './account-status.ts'
import { releaseAsyncContextBetweenCalls } from './async-context-release.ts'
import { createPasswordHasher } from './password/hashing.ts'
import type { RateLimitStorage } from './shared-rate-limit.ts'

// One scrypt at a time leaves the other core(s) to the proxy; on a larger
// machine more could run, but sign-ins are rare next to proxied requests.
export const PASSWORD_HASH_CONCURRENCY = 1

/**
 * The gateway sets this header on every request it hands to Better Auth, from
 * `request.ip` (so TRUST_PROXY decides whether X-Forwarded-For counts) after
 * deleting any client copy. Better Auth's default, X-Forwarded-For, is
 * client-controlled: every client could pick its own rate-limit bucket.
 */
export const CLIENT_IP_HEADER = 'x-gateway-client-ip'

export const AUTH_BASE_PATH = '/api/auth'

export interface AuthOptions {
  config: Pick<Config, 'publicUrl' | 'trustedOrigins' | 'secureCookies'> & { secret: string }
  db: Db
  log: FastifyBaseLogger
  /** Told about every deleted session (sign-out, revocation, password change, user deletion). */
  onSessionDeleted?: (token: string) => void | Promise<void>
  /** Told when a user's profile changes or the user is deleted. */
  onUserChanged?: (userId: string) => void | Promise<void>
  /** Where the rate limits count (shared-rate-limit.ts, with REDIS_URL); this process's memory otherwise. */
  rateLimitStorage?: RateLimitStorage
}

export function createAuth(options: AuthOptions) {
  // Counted calls, so Better Auth's AsyncLocalStorage stops taxing the proxy
  // between them on Node 20 (async-context-release.ts).
  return releaseAsyncContextBetweenCalls(betterAuthFor(options))
}

function betterAuthFor({ config, db, log, onSessionDeleted, onUserChanged, rateLimitStorage }: AuthOptions) {
  return betterAuth({
    baseURL: config.publicUrl,
    basePath: AUTH_BASE_PATH,
    secret: config.secret,
    trustedOrigins: config.trustedOrigins,
    // transaction: a sign-up writes user and account together or not at all.
    database: drizzleAdapter(db, { provider: 'pg', schema, transaction: true }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      password: createPasswordHasher(PASSWORD_HASH_CONCURRENCY),
    },
    user: {
      deleteUser: { enabled: true },
      // Read with every session (the lookup refuses a disabled user's) and
      // never writable through Better Auth's endpoints: only the admin CLI sets it.
      additionalFields: { disabledAt: { type: 'date', required: false, input: false } },
    },
    // These run for single and bulk deletions alike, after the transaction and
    // before the endpoint answers: the cache forgets a session before the
    // client can send its next request.
    databaseHooks: {
      session: {
        // A disabled user signs in with the right password and gets 403 ACCOUNT_DISABLED.
        // Read through Better Auth's adapter: a sign-up creates its session
        // inside its transaction, which holds PGlite's only connection.
        create: {
          before: async (session, context) => {
            const found = await context?.context.internalAdapter.findUserById(session.userId)
            refuseDisabledUser((found ?? null) as UserStatus | null)
          },
        },
        delete: { after: async (session) => onSessionDeleted?.(session.token) },
      },
      user: {
        update: { after: async (user) => onUserChanged?.(user.id) },
        delete: { after: async (user) => onUserChanged?.(user.id) },
      },
    },
    rateLimit: {
      // Better Auth enables this only when NODE_ENV=production; a brute-force
      // defence that is off in staging is a defence nobody has tested.
      enabled: true,
      storage: 'memory',
      window: 60,
      max: 100,
      ...(rateLimitStorage === undefined ? {} : { customStorage: rateLimitStorage }),
    },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // On https the gateway names the cookies itself, with the __Host-
      // prefix (cookie-names.ts); Better Auth would add __Secure- in front.
      useSecureCookies: false,
      ...(config.secureCookies ? { cookies: hostPrefixedCookies() } : {}),
      // One joined query per session lookup instead of two (session, then user).
      database: { joins: true },
      // Secure here covers any cookie a future plugin adds under its own name.
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
    },
    telemetry: { enabled: false },
    logger: {
      level: 'warn',
      log: (level, message, ...args) =>
        log[level === 'debug' ? 'debug' : level]({ args }, `better-auth: ${message}`),
    },
  })
}

export type Auth = ReturnType<typeof createAuth>
