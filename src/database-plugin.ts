// Opens (or adopts) the database, applies migrations before the gateway
// answers anything, and closes it when the app closes.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Database, openDatabase } from '../db/client.ts'
import type { Config } from './config/config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    database: Database
  }
}

export interface DatabasePluginOptions {
  config: Pick<Config, 'database' | 'dataDir'>
  /** A database the caller owns (tests share one per file); it is not closed here. */
  database?: Database
}

async function databasePlugin(app: FastifyInstance, { config, database }: DatabasePluginOptions) {
  const owned = database === undefined
  const db =
    database ??
    (await openDatabase({
      database: config.database,
      dataDir: config.dataDir,
      onPoolError: (err) => app.log.warn({ err }, 'database connection lost; the pool will reconnect'),
    }))
  await db.migrate()
  app.decorate('database', db)
  if (owned) app.addHook('onClose', () => db.close())
}

export default fp(databasePlugin, { name: 'database' })
