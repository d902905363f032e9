// `users create --email --name [--password-stdin]`: through Better Auth's
// own sign-up, built from the server's configuration, so the email check,
// password rules and hash are exactly the gateway's. The password comes on
// stdin (never argv, which other users can read in `ps`), or is generated
// and printed once.
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { pino } from 'pino'
import { createAuth } from '../../src/auth/better-auth.ts'
import { type Register, withJson } from './command.ts'
import { AdminError, EXIT } from './exit-codes.ts'
import { deleteSessionByToken, findUser } from './user-rows.ts'
import { describeUser } from './users-find.ts'

interface CreateOptions {
  email: string
  name: string
  passwordStdin?: boolean
}

/** Better Auth's refusals of the input (exit 64), and of the data (exit 65). */
const BAD_INPUT = new Set([
  'INVALID_EMAIL',
  'PASSWORD_TOO_SHORT',
  'PASSWORD_TOO_LONG',
  'INVALID_PASSWORD',
  'VALIDATION_ERROR',
])
const DATA_CONFLICT = new Set(['USER_ALREADY_EXISTS', 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL'])

export const usersCreate: Register = (users, run, io) => {
  withJson(users.command('create'))
    .description('create a user with an email and password (as sign-up does)')
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--name <name>', "the user's display name")
    .option('--password-stdin', 'read the password from stdin (one line); otherwise one is generated')
    .action(
      run<CreateOptions>(async (ctx, _args, options) => {
        const password = options.passwordStdin ? await readPassword(io.stdin) : generatePassword()
        const config = ctx.config()
        const { db } = await ctx.database()
        const secret = await ctx.secret()
        const auth = createAuth({
          config: { ...config, secret },
          db,
          // Refusals come back as errors and are reported once; only failures are logged.
          log: pino({ level: 'error' }, pino.destination(2)),
        })
        let token: string | null
        try {
          ;({ token } = await auth.api.signUpEmail({
            body: { email: options.email, name: options.name, password },
          }))
        } catch (err) {
          throw refusal(err)
        }
        // Sign-up signs the new user in; an operator creating an account wants no session.
        if (token !== null) await deleteSessionByToken(db, token)
        const created = await findUser(db, options.email)
        if (created === undefined) throw new Error('the new user could not be read back')
        const generated = options.passwordStdin ? {} : { password }
        ctx.out.result({ user: created, ...generated }, () => [
          `created ${created.email}`,
          ...describeUser(created),
          ...(options.passwordStdin
            ? []
            : [`password:       ${password}   (shown once: pass it on securely)`]),
        ])
      }),
    )
}

/** 24 characters of base64url: 144 random bits. */
function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

/** One line from stdin (a pipe's whole content without its final newline, or a typed line). */
async function readPassword(stdin: Readable & { isTTY?: boolean }): Promise<string> {
  let text: string
  if (stdin.isTTY) {
    const lines = createInterface({ input: stdin, terminal: false })
    text = await new Promise<string>((resolve) => {
      lines.once('line', resolve)
      lines.once('close', () => resolve(''))
    })
    lines.close()
  } else {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer))
    text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '')
  }
  if (text === '') throw new AdminError(EXIT.USAGE, '--password-stdin: stdin held no password')
  if (/[\r\n]/.test(text)) throw new AdminError(EXIT.USAGE, '--password-stdin: the password must be one line')
  return text
}

/** Better Auth's APIError as the CLI's refusal; anything else unchanged. */
function refusal(err: unknown): unknown {
  const body = (err as { body?: { code?: unknown; message?: unknown } }).body
  const code = typeof body?.code === 'string' ? body.code : undefined
  if (code === undefined) return err
  const message = typeof body?.message === 'string' ? body.message : code
  if (DATA_CONFLICT.has(code)) return new AdminError(EXIT.DATA, `${message} (${code})`)
  if (BAD_INPUT.has(code)) return new AdminError(EXIT.USAGE, `${message} (${code})`)
  return err
}
