// Start-up waits for the database however long it takes. A first start of
// the embedded database runs initdb (seconds, more on a busy machine), and
// migrations queue behind another instance's advisory lock. Under Fastify's
// default plugin timeout (10 s) such a start was a crash instead
// (AVV_ERR_PLUGIN_EXEC_TIMEOUT, seen in CI on a loaded machine).
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { Database } from '../db/client.ts'
import { buildApp } from '../src/app.ts'
import { fileDatabase, testConfig } from './helper.ts'

t.test('a database that takes longer than 10 s to be ready still gets a gateway that starts', async (t) => {
  const db = await fileDatabase(t)
  const database = await db.shared()
  let migrated = false
  // The real database, whose migrations finish only after 11 s, as when
  // another instance holds the migration lock that long.
  const slow: Database = {
    ...database,
    migrate: async () => {
      await sleep(11_000)
      await database.migrate()
      migrated = true
    },
  }
  const app = await buildApp(testConfig({}, db), { database: slow })
  t.teardown(() => app.close())
  t.ok(migrated, 'the app waited for the migrations')
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200, 'and is ready')
})
