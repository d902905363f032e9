// What a command file is made of: its registration under a group, the
// runner that gives its handler a context, and the --json every command takes.
import type { Readable } from 'node:stream'
import type { Command } from 'commander'
import type { AdminContext } from './context.ts'
import type { Streams } from './output.ts'

/** What a command file registers: its handler gets the context, its arguments and its options. */
export type Handler<O> = (ctx: AdminContext, args: string[], options: O) => Promise<void>

/** Wraps a handler as a commander action (context, error reporting, exit code). */
export type Runner = <O>(handler: Handler<O>) => (...commanderArgs: unknown[]) => Promise<void>

export interface AdminIo extends Streams {
  stdin: Readable
  env: Record<string, string | undefined>
}

/** A command file's registration: adds its subcommand(s) under `parent`. */
export type Register = (parent: Command, run: Runner, io: AdminIo) => void

/** The --json option every command takes. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print the result as JSON on stdout')
}
