// What every command runs with: the gateway's own configuration (the same
// environment and .env as `npm start`), the database opened as the gateway
// opens it (migrations applied, the embedded one locked against a running
// gateway), and the output. Opened lazily, closed after the command.
import { type Database, openDatabase } from '../../db/client.ts'
import { DataDirLockedError } from '../../db/pglite-lock.ts'
import { type Config, ConfigError, parseConfig } from '../../src/config/config.ts'
import { resolveSecret } from '../../src/config/secret.ts'
import { AdminError, EXIT, type ExitCode } from './exit-codes.ts'
import type { Output } from './output.ts'

export interface AdminContext {
  out: Output
  /** The parsed configuration; throws ConfigError (exit 78). */
  config(): Config
  /** The database, answering and migrated; throws AdminError 69 (unreachable) or 75 (embedded one in use). */
  database(): Promise<Database>
  /** BETTER_AUTH_SECRET, or the one the gateway keeps in DATA_DIR (config/secret.ts). */
  secret(): Promise<string>
  close(): Promise<void>
}

/** How long the database may take to answer the first query, in ms. */
const PING_TIMEOUT_MS = 5000

/**
 * The context of one command run with `env` (the process environment merged
 * with .env). Nothing is read or opened until a command asks for it.
 */
export function createContext(env: Record<string, string | undefined>, out: Output): AdminContext {
  let config: Config | undefined
  let opening: Promise<Database> | undefined
  const getConfig = () => {
    config ??= parseConfig(env)
    return config
  }
  return {
    out,
    config: getConfig,
    database() {
      opening ??= openChecked(getConfig())
      return opening
    },
    async secret() {
      const { secret: configured, dataDir } = getConfig()
      let resolved: Awaited<ReturnType<typeof resolveSecret>>
      try {
        resolved = await resolveSecret(configured, dataDir)
      } catch (err) {
        throw new AdminError(EXIT.CONFIG, messageOf(err))
      }
      const { secret, warning } = resolved
      if (warning !== undefined && configured === undefined) out.warn(warning)
      return secret
    },
    async close() {
      const database = await opening?.catch(() => undefined)
      await database?.close().catch(() => {})
    },
  }
}

async function openChecked(config: Config): Promise<Database> {
  const where = describeDatabase(config)
  let database: Database | undefined
  try {
    database = await openDatabase({
      database: config.database,
      dataDir: config.dataDir,
      onPoolError: () => {},
    })
    await database.ping(PING_TIMEOUT_MS)
    await database.migrate()
    return database
  } catch (err) {
    await database?.close().catch(() => {})
    if (err instanceof DataDirLockedError) throw new AdminError(EXIT.TEMPFAIL, err.message)
    throw new AdminError(EXIT.UNAVAILABLE, `database unreachable (${where}): ${messageOf(err)}`)
  }
}

/** The driver and where it points, without credentials. */
function describeDatabase({ database, dataDir }: Config): string {
  if (database.driver === 'pglite') return `embedded database in ${dataDir}`
  try {
    const url = new URL(database.url as string)
    return `${database.driver} at ${url.hostname}:${url.port || '5432'}${url.pathname}`
  } catch {
    return database.driver
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
])

/** True for a failure to reach the database (a dropped connection mid-command included). */
function isConnectionError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined; e; ) {
    if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true
    if (
      typeof e.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect/.test(e.message)
    )
      return true
    e = e.cause as typeof e
  }
  return false
}

/** The innermost message (drivers wrap the useful one), on one line. */
function messageOf(err: unknown): string {
  let e = err as { message?: unknown; cause?: unknown }
  while (e?.cause instanceof Error) e = e.cause
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err)
  return message.replace(/\s+/g, ' ').trim()
}

/** The exit code and the one-line message for anything a command threw. */
export function classify(err: unknown): { exitCode: ExitCode; message: string } {
  if (err instanceof AdminError) return { exitCode: err.exitCode, message: err.message }
  if (err instanceof ConfigError)
    return { exitCode: EXIT.CONFIG, message: `invalid configuration: ${err.problems.join('; ')}` }
  if (err instanceof DataDirLockedError) return { exitCode: EXIT.TEMPFAIL, message: err.message }
  if (isConnectionError(err))
    return { exitCode: EXIT.UNAVAILABLE, message: `database unreachable: ${messageOf(err)}` }
  return { exitCode: EXIT.SOFTWARE, message: `unexpected error: ${messageOf(err)}` }
}
