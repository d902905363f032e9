// Signing keys and the minter, shared by every instance on the same database.
// Keys are loaded (the first one created) before the gateway answers, then
// re-read every minute: that is how a key another instance created, or the
// schedule's next one, reaches this instance.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config/config.ts'
import { KeyRing } from './key-ring.ts'
import type { KeySchedule } from './key-schedule.ts'
import { AssertionMinter } from './minter.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The signing keys (the JWKS comes from here). */
    keyRing: KeyRing
    /** Mints X-User-Assertion, once per session and reused (minter.ts). */
    assertionMinter: AssertionMinter
  }
}

/** How often each instance re-reads the keys. */
export const KEY_RELOAD_MS = 60_000
/** The JWKS's Cache-Control max-age: how long a verifier may keep it. */
export const JWKS_MAX_AGE_SECONDS = 300
/** Clock skew between instances and verifiers, and the verifiers' leeway. */
const CLOCK_SKEW_MS = 5 * 60_000

/**
 * The key schedule every instance (and the admin CLI's `keys rotate`) uses,
 * from ASSERTION_KEY_ROTATION_HOURS and ASSERTION_TTL_SECONDS; all in ms.
 */
export function keySchedule(assertion: Config['assertion']): KeySchedule {
  return {
    rotationMs: assertion.keyRotationHours * 3_600_000,
    // Every instance reloads, and every verifier's cached JWKS expires,
    // before the new kid signs anything.
    publishAheadMs: JWKS_MAX_AGE_SECONDS * 1000 + 2 * KEY_RELOAD_MS,
    retainMs: assertion.lifetimeSeconds * 1000 + CLOCK_SKEW_MS,
    clockSkewMs: CLOCK_SKEW_MS,
  }
}

export interface AssertionPluginOptions {
  config: Pick<Config, 'assertion' | 'publicUrl'> & { secret: string }
  /** The clock (tests move it to walk through a rotation). */
  now?: () => number
}

async function assertionPlugin(app: FastifyInstance, { config, now }: AssertionPluginOptions) {
  const { assertion } = config
  const ring = new KeyRing({
    db: app.database.db,
    secret: config.secret,
    log: app.log,
    now,
    schedule: keySchedule(assertion),
  })
  await ring.refresh()
  // One reload at a time: against a hung database they would pile up.
  let reloading = false
  const timer = setInterval(() => {
    if (reloading) return
    reloading = true
    ring
      .refresh()
      .catch((err) => app.log.warn({ err }, 'could not reload the signing keys; keeping those loaded'))
      .finally(() => {
        reloading = false
      })
  }, KEY_RELOAD_MS)
  timer.unref()
  app.addHook('onClose', async () => clearInterval(timer))

  app.decorate('keyRing', ring)
  app.decorate(
    'assertionMinter',
    new AssertionMinter({
      ring,
      issuer: config.publicUrl,
      audience: assertion.audience,
      lifetimeSeconds: assertion.lifetimeSeconds,
      now,
    }),
  )
}

export default fp(assertionPlugin, { name: 'assertion', dependencies: ['database'] })
