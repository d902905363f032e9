// `sessions revoke <email|id>`: ends every session of a user, on every
// instance at once (revocation.ts). The user can sign in again.
import { type Register, withJson } from './command.ts'
import { announceUserRevoked, describeRevocation } from './revocation.ts'
import { deleteSessions } from './user-rows.ts'
import { noSuchUser } from './users-find.ts'

export const sessionsRevoke: Register = (sessions, run) => {
  withJson(sessions.command('revoke'))
    .description('end all sessions of a user (they may sign in again)')
    .argument('<email|id>', 'an email (any case) or a user id')
    .action(
      run(async (ctx, [ref]) => {
        const { db } = await ctx.database()
        const revoked = await deleteSessions(db, ref as string)
        if (revoked === undefined) throw noSuchUser(ref as string)
        const revocation = await announceUserRevoked(ctx.config(), revoked.user.id, ctx.out)
        ctx.out.result(
          {
            user: { id: revoked.user.id, email: revoked.user.email },
            sessionsDeleted: revoked.sessionsDeleted,
            revocation,
          },
          () => [
            `deleted ${revoked.sessionsDeleted} session(s) of ${revoked.user.email}; ${describeRevocation(revocation)}`,
          ],
        )
      }),
    )
}
