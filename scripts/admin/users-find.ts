// `users find <email|id>`: one user in full.

import { type Register, withJson } from './command.ts'
import { AdminError, EXIT } from './exit-codes.ts'
import { findUser, type UserView } from './user-rows.ts'

export const usersFind: Register = (users, run) => {
  withJson(users.command('find'))
    .description('show one user, by email or id')
    .argument('<email|id>', 'an email (any case) or a user id')
    .action(
      run(async (ctx, [ref]) => {
        const { db } = await ctx.database()
        const found = await findUser(db, ref as string)
        if (found === undefined) throw noSuchUser(ref as string)
        ctx.out.result({ user: found }, () => describeUser(found))
      }),
    )
}

/** The refusal for a reference that matches nobody (exit 67). */
export function noSuchUser(ref: string): AdminError {
  return new AdminError(EXIT.NO_USER, `no user with ${ref.includes('@') ? 'email' : 'id'} ${ref}`)
}

/** `user` as labelled lines. */
export function describeUser(user: UserView): string[] {
  const status =
    user.disabledAt === null
      ? 'enabled'
      : `disabled since ${user.disabledAt}${user.disabledReason === null ? '' : ` (${user.disabledReason})`}`
  return [
    `id:             ${user.id}`,
    `email:          ${user.email}${user.emailVerified ? ' (verified)' : ''}`,
    `name:           ${user.name}`,
    `created:        ${user.createdAt}`,
    `status:         ${status}`,
    `live sessions:  ${user.liveSessions}`,
  ]
}
