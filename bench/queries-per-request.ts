// Database queries per signed-in proxied request, with the session cache on
// (SESSION_CACHE_TTL_MS=5000) and off (0), and the time each request took
// end to end in process (inject). On Neon every query is a network round
// trip, so this is what the cache saves there (docs/production.md).
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gw_bench npx tsx bench/queries-per-request.ts
// DATABASE_DRIVER=neon with NEON_WS_PROXY runs it through the Neon driver.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../db/client.ts'
import { buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config/config.ts'
import { seedSessions } from './seed.ts'

const REQUESTS = Number(process.env.REQUESTS ?? 2000)
const upstream = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1')
await new Promise((r) => upstream.once('listening', r))
const dataDir = await mkdtemp(join(tmpdir(), 'gw-queries-'))
const secret = randomBytes(32).toString('base64')

for (const ttl of ['5000', '0']) {
  const config = parseConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    SESSION_CACHE_TTL_MS: ttl,
    API_UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
  })
  const [cookie] = await seedSessions(config.database, dataDir, secret, 1)
  const database = await openDatabase({ database: config.database, dataDir })
  const app = await buildApp({ ...config, secret }, { database })
  await app.inject({ url: '/api/warm', headers: { cookie } })
  const before = database.queryCount()
  const started = performance.now()
  for (let i = 0; i < REQUESTS; i++) {
    const res = await app.inject({ url: '/api/x', headers: { cookie } })
    if (res.statusCode !== 200) throw new Error(`answered ${res.statusCode}`)
  }
  const ms = (performance.now() - started) / REQUESTS
  const queries = (database.queryCount() - before) / REQUESTS
  console.log(
    `SESSION_CACHE_TTL_MS=${ttl.padEnd(4)} ${database.driver}: ${queries.toFixed(4)} queries/request, ` +
      `${ms.toFixed(3)} ms/request (${REQUESTS} sequential signed-in requests)`,
  )
  await app.close()
  await database.close()
}
upstream.close()
await rm(dataDir, { recursive: true, force: true })
