// `npm run db:migrate`: apply committed migrations with the configured driver,
// exactly as start-up does, then exit. Useful before a rolling deploy.
import { ConfigError, parseConfig, readEnvironment } from '../src/config/config.ts'
import { openDatabase } from './client.ts'

try {
  const config = parseConfig(readEnvironment())
  const database = await openDatabase({ database: config.database, dataDir: config.dataDir })
  try {
    await database.migrate()
    console.log(`migrations applied (${database.driver})`)
  } finally {
    await database.close()
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err)
  process.exitCode = 1
}
