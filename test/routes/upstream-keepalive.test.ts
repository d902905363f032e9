// Upstreams close idle keep-alive connections on their own clock. A request
// that lands on a connection the upstream is closing must not become a 502
// when a repeat is harmless: idempotent requests without a body are retried
// once on a fresh connection (as nginx does for a cached connection); a POST
// never is. And the gateway closes idle connections before common servers do.
import { request } from 'node:http'
import t from 'tap'
import { startBehaviourUpstream } from '../fixtures/behaviour-upstream.ts'
import { listenTracked } from '../fixtures/open-sockets.ts'
import { buildHarness, fileDatabase, listen } from '../helper.ts'

const db = await fileDatabase(t)
const pause = () => new Promise((r) => setTimeout(r, 30))

t.test(
  'a server that drops every reused connection: 20 GETs, 20 answers, each on a fresh connection',
  async (t) => {
    const upstream = await startBehaviourUpstream()
    t.teardown(() => upstream.close())
    const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: upstream.url } })
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) {
      // A pause lets the pool see its connection idle again, so the next GET reuses it.
      await pause()
      const res = await app.inject({ url: '/api/drop-reused' })
      statuses.push(res.statusCode)
      if (res.statusCode === 200)
        t.equal(res.json().onConnection, 1, `GET ${i + 1} answered on a fresh connection`)
    }
    t.same(statuses, Array(20).fill(200), 'no 502 (without the retry they alternate 200 / 502)')
    const dropped = upstream.seen.filter((s) => s.onConnection > 1).length
    // Every second GET reuses the pooled connection (the retry's own connection
    // closes after it), so about half of them met a drop and were retried.
    t.ok(
      dropped >= 9,
      `the upstream really dropped ${dropped} reused connections: each would have been a 502`,
    )
    t.equal(upstream.seen.length, 20 + dropped, 'each dropped request was sent exactly once more')
  },
)

t.test('methods a repeat could harm, and bodies, are not retried', async (t) => {
  const upstream = await startBehaviourUpstream()
  t.teardown(() => upstream.close())
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: upstream.url } })
  const rows: [string, { method: 'POST' | 'PATCH' | 'PUT'; payload?: string }][] = [
    ['POST (not idempotent)', { method: 'POST', payload: 'order=1' }],
    ['PATCH (not idempotent)', { method: 'PATCH', payload: 'x' }],
    ['PUT with a body (the body stream cannot be sent twice)', { method: 'PUT', payload: 'x' }],
  ]
  for (const [name, call] of rows) {
    // Open a connection with one GET, so the next request reuses it.
    t.equal((await app.inject({ url: '/api/drop-reused' })).statusCode, 200)
    await pause()
    const before = upstream.seen.length
    const res = await app.inject({ url: '/api/drop-reused', ...call })
    t.equal(res.statusCode, 502, `${name}: 502`)
    t.equal(upstream.seen.length - before, 1, `${name}: sent once, never repeated`)
  }
})

t.test('a chunked PUT (no length header) on a dropped connection: 502, never resent empty', async (t) => {
  // Found in review: the body check read the upstream-bound headers, where
  // Transfer-Encoding (hop-by-hop) is already gone, and the retry sent an
  // empty body that the upstream stored as a success.
  const upstream = await startBehaviourUpstream()
  t.teardown(() => upstream.close())
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: upstream.url } })
  const port = await listen(app)
  t.equal((await app.inject({ url: '/api/drop-reused' })).statusCode, 200)
  await pause()
  const before = upstream.seen.length
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'PUT', path: '/api/drop-reused' }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.write('IMPORTANT')
    req.end('!')
  })
  t.equal(status, 502)
  t.equal(upstream.seen.length - before, 1, 'sent once')
})

t.test('idle upstream connections are closed by the gateway before the upstream closes them', async (t) => {
  // A server without a Keep-Alive hint, as uvicorn: with keepAliveTimeout 0
  // Node sends none and never closes idle connections itself.
  const { url, sockets, close } = await listenTracked({ keepAliveTimeout: 0 }, (_req, res) => res.end('ok'))
  t.teardown(close)
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: url } })
  t.equal((await app.inject({ url: '/api/x' })).statusCode, 200)
  const answered = Date.now()
  t.equal(sockets.size, 1, 'one pooled connection')
  await new Promise((r) => setTimeout(r, 3500))
  t.equal(sockets.size, 1, 'still pooled after 3.5 s idle')
  while (sockets.size > 0 && Date.now() - answered < 15_000) await new Promise((r) => setTimeout(r, 50))
  // 4 s by the gateway's own clock (the upstream never closes it); the bound
  // here is loose only because a loaded machine runs timers late.
  t.equal(sockets.size, 0, `closed by the gateway after ${Date.now() - answered} ms idle`)
})

t.test("an upstream's Keep-Alive: timeout=N is honoured", async (t) => {
  // Node's own server announces "Keep-Alive: timeout=1" and closes after 1 s.
  const { url, sockets, close } = await listenTracked({ keepAliveTimeout: 1000 }, (_req, res) =>
    res.end('ok'),
  )
  t.teardown(close)
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: url } })
  const statuses: number[] = []
  // Requests spaced just around the server's own 1 s close.
  for (const gap of [0, 990, 1000, 1010, 995, 1005]) {
    await new Promise((r) => setTimeout(r, gap))
    statuses.push((await app.inject({ url: '/api/x' })).statusCode)
  }
  t.same(statuses, [200, 200, 200, 200, 200, 200], 'no 502 at any spacing')
  await new Promise((r) => setTimeout(r, 100))
  t.ok(sockets.size <= 1)
})
