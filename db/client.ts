// One database handle for the whole gateway, whichever driver the
// configuration chose: embedded PGlite (the zero-install default), node-postgres,
// or Neon's serverless driver over WebSockets. Everything above this file sees
// the same Drizzle Postgres API and the same three operations.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { Config } from '../src/config/config.ts'
import { initialisePgliteDirectory } from './pglite-init.ts'
import { lockDataDir } from './pglite-lock.ts'
import * as schema from './schema.ts'

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>

export interface Database {
  db: Db
  driver: Config['database']['driver']
  /** Resolves when the database answers, rejects (within `timeoutMs`) when it does not. */
  ping(timeoutMs?: number): Promise<void>
  /** Queries issued through Drizzle since the handle opened (benchmarks and tests count them). */
  queryCount(): number
  /** Applies committed migrations; safe to call from several instances at once. */
  migrate(): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  database: Config['database']
  dataDir: string
  /** Pool errors (a server restart killing idle connections) are reported here, never thrown. */
  onPoolError?: (err: Error) => void
}

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))

// Any constant works; it only has to be the same in every instance.
const MIGRATION_LOCK_KEY = 0x6761_7465 // "gate"

/** Postgres's page cache inside the embedded database (see openPglite). */
const PGLITE_SHARED_BUFFERS = '16MB'

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const { database } = options
  if (database.driver === 'pglite') return openPglite(options.dataDir)
  return openPool(options)
}

/** Drizzle's logger hook, used only to count: one increment per query. */
function queryCounter() {
  let count = 0
  return { logger: { logQuery: () => void count++ }, count: () => count }
}

async function openPglite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  // One process at a time (pglite-lock.ts): throws DataDirLockedError while another holds it.
  const unlock = await lockDataDir(dataDir)
  try {
    return await openPgliteLocked(dataDir, unlock)
  } catch (err) {
    await unlock()
    throw err
  }
}

async function openPgliteLocked(dataDir: string, unlock: () => Promise<void>): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  const path = join(dataDir, 'pglite')
  // PGlite zero-fills Postgres's shared memory inside its WASM heap, so all
  // of shared_buffers is resident from start-up: the default was a large
  // share of the gateway's RSS (docs/operations.md). The gateway's tables are
  // small and the OS page cache sits under PGlite's files.
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`]
  await initialisePgliteDirectory(path, startParams)
  const client = await PGlite.create(path, { startParams })
  const counter = queryCounter()
  const db = drizzle(client, { schema, logger: counter.logger })
  return {
    db: db as unknown as Db,
    driver: 'pglite',
    queryCount: counter.count,
    ping: (timeoutMs) => withTimeout(client.query('select 1'), timeoutMs),
    // PGlite lives in this process only, so there is nobody to race with.
    migrate: () => migrate(db, { migrationsFolder }),
    async close() {
      try {
        await client.close()
      } finally {
        await unlock()
      }
    },
  }
}

/** pg and Neon share node-postgres's Pool API, so they share this code. */
async function openPool(options: DatabaseOptions): Promise<Database> {
  const { database, onPoolError } = options
  const url = database.url as string
  const poolOptions = {
    connectionString: url,
    max: 10,
    // Fail a request quickly when the server is gone instead of queueing forever;
    // the session check then answers 503 (fail closed) rather than hanging.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  }

  const counter = queryCounter()
  let pool: import('pg').Pool
  let db: Db
  let migrate: (db: never, config: { migrationsFolder: string }) => Promise<void>
  if (database.driver === 'neon') {
    const neon = await import('@neondatabase/serverless')
    const { default: WebSocket } = await import('ws')
    neon.neonConfig.webSocketConstructor = WebSocket
    if (database.neonWsProxy !== undefined) {
      // A local WebSocket-to-TCP bridge (what Neon's own wsproxy does), used for
      // development and CI against a plain Postgres: no TLS on loopback.
      const proxy = database.neonWsProxy
      neon.neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`
      neon.neonConfig.useSecureWebSocket = false
      neon.neonConfig.pipelineTLS = false
      neon.neonConfig.pipelineConnect = false
    }
    const { drizzle } = await import('drizzle-orm/neon-serverless')
    const neonPool = new neon.Pool(poolOptions)
    pool = neonPool as unknown as import('pg').Pool
    db = drizzle(neonPool, { schema, logger: counter.logger }) as unknown as Db
    migrate = (await import('drizzle-orm/neon-serverless/migrator')).migrate as typeof migrate
  } else {
    const { default: pg } = await import('pg')
    const { drizzle } = await import('drizzle-orm/node-postgres')
    pool = new pg.Pool(poolOptions)
    db = drizzle(pool, { schema, logger: counter.logger }) as unknown as Db
    migrate = (await import('drizzle-orm/node-postgres/migrator')).migrate as typeof migrate
  }
  // Without a listener an idle client's error (server restart) crashes the process.
  pool.on('error', (err) => onPoolError?.(err))

  return {
    db,
    driver: database.driver,
    queryCount: counter.count,
    ping: (timeoutMs) => withTimeout(pool.query('select 1'), timeoutMs),
    async migrate() {
      // Several gateway instances may start together; drizzle's migrator does
      // not serialise them, so hold a session-level advisory lock meanwhile.
      const client = await pool.connect()
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
        await migrate(db as never, { migrationsFolder })
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {})
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

async function withTimeout(work: Promise<unknown>, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
