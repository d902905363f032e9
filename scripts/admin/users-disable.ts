// `users disable <email|id> [--reason]` and `users enable <email|id>`. A
// disabled user cannot sign in (src/auth/account-status.ts), their sessions
// are deleted with the change, and the running instances drop their cached
// copies at once (revocation.ts); the lookup refuses the rest (src/session/rows.ts).
import { type Register, withJson } from './command.ts'
import { announceUserRevoked, describeRevocation } from './revocation.ts'
import { setDisabled } from './user-rows.ts'
import { describeUser, noSuchUser } from './users-find.ts'

export const usersDisable: Register = (users, run) => {
  withJson(users.command('disable'))
    .description('stop a user signing in and end all their sessions on every instance')
    .argument('<email|id>', 'an email (any case) or a user id')
    .option('--reason <text>', 'why (kept with the user, shown by users find)')
    .action(
      run<{ reason?: string }>(async (ctx, [ref], options) => {
        const { db } = await ctx.database()
        const changed = await setDisabled(db, ref as string, { disabled: true, reason: options.reason })
        if (changed === undefined) throw noSuchUser(ref as string)
        const revocation = await announceUserRevoked(ctx.config(), changed.user.id, ctx.out)
        ctx.out.result({ user: changed.user, sessionsDeleted: changed.sessionsDeleted, revocation }, () => [
          `disabled ${changed.user.email}; deleted ${changed.sessionsDeleted} session(s); ${describeRevocation(revocation)}`,
          ...describeUser(changed.user),
        ])
      }),
    )
}

export const usersEnable: Register = (users, run) => {
  withJson(users.command('enable'))
    .description('let a disabled user sign in again')
    .argument('<email|id>', 'an email (any case) or a user id')
    .action(
      run(async (ctx, [ref]) => {
        const { db } = await ctx.database()
        const changed = await setDisabled(db, ref as string, { disabled: false })
        if (changed === undefined) throw noSuchUser(ref as string)
        ctx.out.result({ user: changed.user }, () => [
          `enabled ${changed.user.email}: they can sign in again`,
          ...describeUser(changed.user),
        ])
      }),
    )
}
