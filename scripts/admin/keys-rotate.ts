// `keys rotate`: the assertion signing key's successor now instead of at
// the end of its term, through the key ring's own rotation (on the shared
// schedule of src/assertion/plugin.ts): published at once, signing after
// the publish-ahead interval, so no verifier meets an unknown kid.
import { KeyRing } from '../../src/assertion/key-ring.ts'
import { KEY_RELOAD_MS, keySchedule } from '../../src/assertion/plugin.ts'
import { type Register, withJson } from './command.ts'

export const keysRotate: Register = (keys, run) => {
  withJson(keys.command('rotate'))
    .description(
      'schedule the signing key’s successor: published now, signing after the publish-ahead interval',
    )
    .action(
      run(async (ctx) => {
        const config = ctx.config()
        const { db } = await ctx.database()
        const secret = await ctx.secret()
        const ring = new KeyRing({
          db,
          secret,
          schedule: keySchedule(config.assertion),
          log: { info: () => {}, error: (_obj, msg) => ctx.out.warn(msg) },
        })
        const rotation = await ring.rotate()
        const result = {
          kid: rotation.kid,
          generation: rotation.generation,
          created: rotation.created,
          activatesAt: new Date(rotation.activatesAt).toISOString(),
          signingNow: ring.signer()?.kid ?? null,
          published: ring.jwks().keys.map((key) => key.kid),
        }
        const reloadSeconds = KEY_RELOAD_MS / 1000
        ctx.out.result(result, () => [
          rotation.created
            ? `created signing key ${result.kid} (generation ${result.generation})`
            : `a successor was already scheduled: ${result.kid} (generation ${result.generation}); nothing created`,
          `published in the JWKS by every instance within ${reloadSeconds} s; signs from ${result.activatesAt}`,
          `signing now: ${result.signingNow ?? 'none'}`,
          `published:   ${result.published.join(', ')}`,
        ])
      }),
    )
}
