// `users list [--limit N] [--disabled]`: the users, oldest first.
import { InvalidArgumentError } from 'commander'
import { type Register, withJson } from './command.ts'
import { table } from './output.ts'
import { listUsers, type UserView } from './user-rows.ts'

const MAX_LIMIT = 10_000

/** commander's parser for --limit: an integer in [1, 10000]. */
export function parseLimit(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_LIMIT)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_LIMIT}`)
  return n
}

export const usersList: Register = (users, run) => {
  withJson(users.command('list'))
    .description('list users, oldest first')
    .option('--limit <n>', `at most this many (1 to ${MAX_LIMIT})`, parseLimit, 100)
    .option('--disabled', 'only disabled users')
    .action(
      run<{ limit: number; disabled?: boolean }>(async (ctx, _args, options) => {
        const { db } = await ctx.database()
        const found = await listUsers(db, { limit: options.limit, disabledOnly: options.disabled === true })
        ctx.out.result({ users: found }, () => userTable(found))
      }),
    )
}

/** One line per user: id, email, name, created, sessions, status. */
export function userTable(found: UserView[]): string[] {
  if (found.length === 0) return ['no users']
  return table(
    ['ID', 'EMAIL', 'NAME', 'CREATED', 'SESSIONS', 'STATUS'],
    found.map((u) => [
      u.id,
      u.email,
      u.name,
      u.createdAt.slice(0, 19).replace('T', ' '),
      String(u.liveSessions),
      u.disabledAt === null ? 'enabled' : 'disabled',
    ]),
  )
}
