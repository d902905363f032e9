import { once } from 'node:events'
import { type AddressInfo, createServer } from 'node:net'
import t from 'tap'
import { buildHarness, fileDatabase, signUp } from '../helper.ts'

const db = await fileDatabase(t)
const TOKEN = 'metrics-token-0123456789'

t.test('/metrics needs the bearer token and reports cache and query counters', async (t) => {
  const { app } = await buildHarness(t, { db, env: { METRICS_TOKEN: TOKEN } })
  const user = await signUp(app)
  for (let i = 0; i < 3; i++) await app.inject({ url: '/api/x', headers: { cookie: user.cookie } })
  for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN]) {
    const res = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} })
    t.equal(res.statusCode, 404, `refused: ${authorization ?? 'no header'}`)
  }
  const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /^gateway_session_cache_hits_total [1-9]\d*$/m, 'hits counted')
  t.match(res.body, /^gateway_session_cache_misses_total [1-9]\d*$/m, 'the first request missed')
  t.match(res.body, /^gateway_db_queries_total [1-9]\d*$/m)
  t.match(res.body, /^gateway_session_cache_size_chars [1-9]\d*$/m, 'the cached identity is counted')
  t.match(res.body, /^process_resident_memory_bytes \d+$/m)
})

t.test('without METRICS_TOKEN there is no /metrics', async (t) => {
  const { app } = await buildHarness(t, { db })
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 404)
})

t.test('METRICS_PORT serves /metrics on loopback without a token', async (t) => {
  const port = await freePort()
  const { app } = await buildHarness(t, { db, env: { METRICS_PORT: String(port) } })
  await app.ready()
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /text\/plain/)
  t.match(await res.text(), /^gateway_db_queries_total \d+$/m)
  t.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404, 'only /metrics')
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status, 404, 'only GET')
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 404, 'and nothing new on the main port')
  await app.close()
  const refused = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    () => 'answered',
    () => 'refused',
  )
  t.equal(refused, 'refused', 'the listener closes with the app')
})

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
