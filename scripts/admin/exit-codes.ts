// The admin CLI's exit codes: BSD sysexits(3), the convention of mail
// servers and of the gateway itself (src/server.ts exits 78 on a bad
// configuration), so a script can tell "fix your input" from "try later".

export const EXIT = {
  OK: 0,
  /** EX_USAGE: unknown command or option, a missing or malformed argument. */
  USAGE: 64,
  /** EX_DATAERR: well-formed but refused by the data (the email already has an account). */
  DATA: 65,
  /** EX_NOUSER: no user has that email or id. */
  NO_USER: 67,
  /** EX_UNAVAILABLE: the database did not answer (refused, timed out, rejected the login). */
  UNAVAILABLE: 69,
  /** EX_SOFTWARE: a bug; the message says what went wrong. */
  SOFTWARE: 70,
  /** EX_TEMPFAIL: the embedded database is in use by a running gateway; retry once it stops. */
  TEMPFAIL: 75,
  /** EX_CONFIG: the environment (.env) the gateway would refuse too. */
  CONFIG: 78,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** A refusal the CLI reports as one line on stderr and exits with `exitCode`. */
export class AdminError extends Error {
  readonly exitCode: ExitCode
  constructor(exitCode: ExitCode, message: string) {
    super(message)
    this.name = 'AdminError'
    this.exitCode = exitCode
  }
}
