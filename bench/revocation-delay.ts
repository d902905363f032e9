// How long after a revoking response another instance stops trusting the
// session (REDIS_URL). Two gateway instances in this process share one
// database and one Redis; for each of COUNT seeded sessions, B caches it, A
// signs it out, and the time from A's answer to B's eviction is recorded.
// Negative: B had evicted it before A's answer reached the client.
//   npm run bench:revocation            (REDIS_URL defaults to the local Redis)
//   COUNT=1000 REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/revocation-delay.ts
// Both instances share one event loop here, so B's eviction waits behind
// A's work: across machines it is one Redis hop instead.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../db/client.ts'
import { buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config/config.ts'
import { revocationChannelName } from '../src/session/revocation-channel.ts'
import { seedSessions } from './seed.ts'

const COUNT = Number(process.env.COUNT ?? 1000)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const ORIGIN = 'http://localhost:3001'

const upstream = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1')
await new Promise((r) => upstream.once('listening', r))
const dataDir = await mkdtemp(join(tmpdir(), 'gw-revocation-'))
const secret = randomBytes(32).toString('base64')
const config = parseConfig({
  PUBLIC_URL: ORIGIN,
  LOG_LEVEL: 'warn',
  DATA_DIR: dataDir,
  REDIS_URL,
  SESSION_CACHE_TTL_MS: '300000',
  API_UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
})
const cookies = await seedSessions(config.database, dataDir, secret, COUNT)
const database = await openDatabase({ database: config.database, dataDir })
const a = await buildApp({ ...config, secret }, { database })
const b = await buildApp({ ...config, secret }, { database })

// Both subscribed, as Redis itself counts them.
const link = a.redis
if (link === undefined) throw new Error('REDIS_URL was not taken')
for (;;) {
  if (link.state() === 'up') {
    const reply = (await link.commands.pubsub('NUMSUB', revocationChannelName(ORIGIN))) as [string, number]
    if (Number(reply[1]) >= 2) break
  }
  await new Promise((r) => setTimeout(r, 20))
}
await new Promise((r) => setTimeout(r, 50))

const evictedAt = new Map<string, number>()
const evict = b.sessionCache.evictToken.bind(b.sessionCache)
b.sessionCache.evictToken = (token: string) => {
  evictedAt.set(token, performance.now())
  evict(token)
}

const delays: number[] = []
let missed = 0
for (const [i, cookie] of cookies.entries()) {
  const token = decodeURIComponent(cookie.split('=')[1] as string).split('.')[0] as string
  await b.inject({ url: '/api/warm', headers: { cookie } })
  const remoteAddress = `10.9.${(i >> 8) & 255}.${i & 255}`
  const res = await a.inject({
    method: 'POST',
    url: '/api/auth/sign-out',
    headers: { cookie, origin: ORIGIN },
    remoteAddress,
  })
  const answeredAt = performance.now()
  if (res.statusCode !== 200) throw new Error(`sign-out answered ${res.statusCode}: ${res.body}`)
  const deadline = answeredAt + 1000
  while (!evictedAt.has(token) && performance.now() < deadline) await new Promise((r) => setImmediate(r))
  const at = evictedAt.get(token)
  if (at === undefined) missed++
  else delays.push(at - answeredAt)
}

delays.sort((x, y) => x - y)
const pick = (q: number) =>
  (delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? Number.NaN).toFixed(3)
console.log(`revocations: ${COUNT}, evicted on B: ${delays.length}, not within 1 s: ${missed}`)
console.log(
  `A's answer → B's eviction (ms): min ${pick(0)}, median ${pick(0.5)}, p99 ${pick(0.99)}, max ${pick(1)}; ` +
    `before A's answer: ${delays.filter((d) => d <= 0).length}`,
)
await a.close()
await b.close()
await database.close()
upstream.close()
await rm(dataDir, { recursive: true, force: true })
