// `npm run admin -- <command>`: commander's parsing, help and usage errors,
// one context per command, and every failure turned into one stderr line
// and a sysexits code (exit-codes.ts). Each command lives in its own file.
import { Command, CommanderError } from 'commander'
import type { AdminIo, Handler, Runner } from './command.ts'
import { classify, createContext } from './context.ts'
import { EXIT } from './exit-codes.ts'
import { keysRotate } from './keys-rotate.ts'
import { createOutput } from './output.ts'
import { sessionsRevoke } from './sessions-revoke.ts'
import { usersCreate } from './users-create.ts'
import { usersDisable, usersEnable } from './users-disable.ts'
import { usersFind } from './users-find.ts'
import { usersList } from './users-list.ts'

/**
 * Runs the admin CLI on `argv` (without node and the script); resolves to
 * the exit code. Never throws and never exits the process itself.
 */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  let exitCode: number = EXIT.OK
  const program = new Command('admin')
    .description("Operate the gateway's users, sessions and signing keys, with the server's configuration")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, 'admin: ')),
    })
    .showHelpAfterError('(add --help for usage)')

  const run: Runner =
    <O>(handler: Handler<O>) =>
    async (...commanderArgs: unknown[]) => {
      const command = commanderArgs.at(-1) as Command
      const options = command.opts<O & { json?: boolean }>()
      const out = createOutput(io, options.json === true)
      const ctx = createContext(io.env, out)
      try {
        ctx.config() // a bad environment is refused before anything is opened
        await handler(ctx, command.processedArgs as string[], options)
      } catch (err) {
        const { exitCode: code, message } = classify(err)
        exitCode = code
        out.warn(message)
        if (out.json) io.stdout.write(`${JSON.stringify({ error: { exitCode: code, message } }, null, 2)}\n`)
      } finally {
        await ctx.close()
      }
    }

  const users = program.command('users').description('list, find, create, disable and enable users')
  for (const register of [usersList, usersFind, usersCreate, usersDisable, usersEnable])
    register(users, run, io)
  const sessions = program.command('sessions').description("end users' sessions")
  sessionsRevoke(sessions, run, io)
  const keys = program.command('keys').description('the keys that sign X-User-Assertion')
  keysRotate(keys, run, io)

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    throw err
  }
  return exitCode
}
