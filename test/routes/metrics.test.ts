import { once } from 'node:events'
import { type AddressInfo, connect, createServer } from 'node:net'
import { networkInterfaces } from 'node:os'
import t from 'tap'
import { AuthOutcomes } from '../../src/metrics/auth-outcomes.ts'
import { LatencyHistogram } from '../../src/metrics/latency-histogram.ts'
import { RequestCounts } from '../../src/metrics/request-counts.ts'
import {
  histogramOf,
  parseMetrics,
  sampleValue,
  scrape,
  scrapeText,
  seriesOf,
} from '../fixtures/prometheus.ts'
import { buildHarness, fileDatabase, nextIp, ORIGIN, signIn, signUp } from '../helper.ts'

const db = await fileDatabase(t)
const TOKEN = 'metrics-token-0123456789'

t.test('a scripted sequence, every counter read back exactly as Prometheus parses it', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: { METRICS_TOKEN: TOKEN } })
  const user = await signUp(app)
  t.equal((await signIn(app, user)).statusCode, 200, 'good sign-in')
  // Better Auth allows 3 sign-ins per 10 s from one address: the 4th is throttled.
  const ip = nextIp()
  const wrong = { email: user.email, password: 'not the password' }
  const bad = []
  for (let i = 0; i < 4; i++) bad.push((await signIn(app, wrong, ip)).statusCode)
  t.same(bad, [401, 401, 401, 429], 'three bad sign-ins, then one throttled')
  const cookie = { cookie: user.cookie }
  t.equal((await app.inject({ url: '/api/first', headers: cookie })).statusCode, 200, 'proxied 200 (miss)')
  t.equal((await app.inject({ url: '/api/second', headers: cookie })).statusCode, 200, 'proxied 200 (hit)')
  t.equal(
    (await app.inject({ url: '/api/__not-found', headers: cookie })).statusCode,
    404,
    'proxied 404 (hit)',
  )
  t.equal(api.last().url, '/api/__not-found', 'the 404 came from the upstream')
  t.equal((await app.inject({ url: '/docs/' })).statusCode, 200, 'anonymous docs page')
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
  t.equal((await app.inject({ method: 'PUT', url: '/nowhere' })).statusCode, 404)

  const text = await scrapeText(app, TOKEN)
  const m = parseMetrics(text)
  t.same(
    seriesOf(m, 'gateway_http_requests_total'),
    {
      'group=auth,method=POST,status_class=2xx': 2,
      'group=auth,method=POST,status_class=4xx': 4,
      'group=api,method=GET,status_class=2xx': 2,
      'group=api,method=GET,status_class=4xx': 1,
      'group=docs,method=GET,status_class=2xx': 1,
      'group=health,method=GET,status_class=2xx': 1,
      'group=other,method=PUT,status_class=4xx': 1,
    },
    'requests by group, method and status class; the scrape itself is counted after it renders',
  )
  t.same(
    seriesOf(m, 'gateway_sign_ins_total'),
    {
      'outcome=success': 1,
      'outcome=bad_credentials': 3,
      'outcome=throttled': 1,
      'outcome=refused': 0,
      'outcome=rejected': 0,
      'outcome=error': 0,
    },
    'sign-ins by outcome',
  )
  t.same(
    seriesOf(m, 'gateway_sign_ups_total'),
    {
      'outcome=success': 1,
      'outcome=throttled': 0,
      'outcome=refused': 0,
      'outcome=rejected': 0,
      'outcome=error': 0,
    },
    'sign-ups by outcome',
  )
  t.equal(sampleValue(m, 'gateway_password_requests_throttled_total'), 1)
  t.same(seriesOf(m, 'gateway_password_requests_refused_total'), { 'reason=busy': 0, 'reason=client': 0 })
  t.equal(sampleValue(m, 'gateway_password_requests_abandoned_total'), 0)
  t.equal(sampleValue(m, 'gateway_password_requests_waiting'), 0)
  t.equal(sampleValue(m, 'gateway_password_requests_inside'), 0)
  t.equal(sampleValue(m, 'gateway_session_cache_misses_total'), 1, 'the first proxied request missed')
  t.equal(sampleValue(m, 'gateway_session_cache_hits_total'), 2, 'the next two hit')
  t.equal(sampleValue(m, 'gateway_session_cache_negative_hits_total'), 0)
  t.equal(sampleValue(m, 'gateway_session_cache_evictions_total'), 0)
  t.equal(sampleValue(m, 'gateway_session_cache_entries'), 1)
  t.ok(sampleValue(m, 'gateway_session_cache_size_chars') > 0, 'the cached identity is counted')
  t.ok(sampleValue(m, 'gateway_db_queries_total') > 0)
  t.notOk(m.has('gateway_redis_up'), 'no Redis metrics without REDIS_URL')

  t.equal(m.get('gateway_upstream_response_seconds')?.type, 'HISTOGRAM')
  const upstreams = new Set(
    [...text.matchAll(/^gateway_upstream_response_seconds_count\{upstream="(\w+)"\}/gm)].map((x) => x[1]),
  )
  t.same([...upstreams].sort(), ['api', 'docs'], 'one series per upstream that answered')
  for (const [upstream, count] of [
    ['api', 3],
    ['docs', 1],
  ] as const) {
    const h = histogramOf(text, 'gateway_upstream_response_seconds', 'upstream', upstream)
    t.equal(Number(h.count), count, `${upstream}: one observation per proxied answer`)
    t.equal(Number(h.buckets?.['+Inf']), count, `${upstream}: +Inf holds them all`)
    const cumulative = Object.entries(h.buckets ?? {})
      .map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), Number(n)] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, n]) => n)
    t.equal(cumulative.length, 15, `${upstream}: 14 bounds and +Inf`)
    t.same(
      cumulative,
      [...cumulative].sort((a, b) => a - b),
      `${upstream}: buckets are cumulative`,
    )
    t.ok(Number(h.sum) > 0 && Number(h.sum) < 5, `${upstream}: the sum is seconds`)
  }

  // A hit costs no query: scraped before and after one more request.
  const queries = sampleValue(m, 'gateway_db_queries_total')
  await app.inject({ url: '/api/third', headers: cookie })
  const after = await scrape(app, TOKEN)
  t.equal(sampleValue(after, 'gateway_db_queries_total'), queries, 'a cache hit issued no query')
  t.equal(sampleValue(after, 'gateway_session_cache_hits_total'), 3)
  t.equal(
    sampleValue(after, 'gateway_http_requests_total', {
      group: 'metrics',
      method: 'GET',
      status_class: '2xx',
    }),
    1,
  )
  t.equal(
    sampleValue(after, 'gateway_http_requests_total', { group: 'api', method: 'GET', status_class: '2xx' }),
    3,
  )

  // The process's default metrics, event-loop lag and GC included.
  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_heap_used_bytes',
    'nodejs_active_handles_total',
    'nodejs_eventloop_lag_seconds',
    'nodejs_eventloop_lag_p99_seconds',
    'nodejs_gc_duration_seconds',
    'nodejs_version_info',
  ])
    t.ok(after.has(name), name)
  t.ok(sampleValue(after, 'nodejs_eventloop_lag_seconds') >= 0)
})

t.test('/metrics needs the exact bearer token; a wrong one is the not-found answer', async (t) => {
  const { app } = await buildHarness(t, { db, env: { METRICS_TOKEN: TOKEN } })
  const { app: without } = await buildHarness(t, { db })
  const notFound = await without.inject({ url: '/metrics' })
  t.equal(notFound.statusCode, 404)
  for (const authorization of [
    undefined,
    'Bearer wrong',
    `Bearer ${TOKEN}x`,
    `Bearer ${TOKEN.slice(0, -1)}`,
    TOKEN,
    `bearer ${TOKEN}`,
  ]) {
    const res = await app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} })
    t.equal(res.statusCode, 404, `refused: ${authorization ?? 'no header'}`)
    t.equal(res.body, notFound.body, 'indistinguishable from a missing route')
  }
  const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  t.equal(res.headers['cache-control'], 'no-store')
  const m = parseMetrics(res.body)
  t.same(
    seriesOf(m, 'gateway_http_requests_total'),
    { 'group=other,method=GET,status_class=4xx': 6 },
    'the refusals count as not-found answers',
  )
})

t.test('without METRICS_TOKEN or METRICS_PORT: no /metrics and nothing counted', async (t) => {
  const counted: string[] = []
  const spy = <T extends object>(proto: T, method: keyof T & string) => {
    const original = proto[method] as (...args: unknown[]) => unknown
    ;(proto as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      counted.push(method)
      return original.apply(this, args)
    }
    t.teardown(() => {
      ;(proto as Record<string, unknown>)[method] = original
    })
  }
  spy(RequestCounts.prototype, 'count')
  spy(LatencyHistogram.prototype, 'observe')
  spy(AuthOutcomes.prototype, 'signIn')
  spy(AuthOutcomes.prototype, 'signUp')

  const { app } = await buildHarness(t, { db })
  t.equal(app.metrics, undefined, 'no registry, no counts')
  const user = await signUp(app)
  t.equal((await signIn(app, user)).statusCode, 200)
  t.equal((await app.inject({ url: '/api/x', headers: { cookie: user.cookie } })).statusCode, 200)
  t.equal((await app.inject({ url: '/docs/' })).statusCode, 200)
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 404)
  t.same(counted, [], 'no counting code ran')

  const on = await buildHarness(t, { db, env: { METRICS_TOKEN: TOKEN } })
  await on.app.inject({ url: '/api/x', headers: { cookie: user.cookie } })
  await signIn(on.app, user)
  t.same(
    [...new Set(counted)].sort(),
    ['count', 'observe', 'signIn'],
    'the same spies see it counted when on',
  )
})

t.test('METRICS_PORT serves /metrics on loopback only, without a token', async (t) => {
  const port = await freePort()
  const { app } = await buildHarness(t, { db, env: { METRICS_PORT: String(port) } })
  await app.ready()
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const m = parseMetrics(await res.text())
  t.ok(sampleValue(m, 'gateway_db_queries_total') >= 0)
  t.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404, 'only /metrics')
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status, 404, 'only GET')
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 404, 'and nothing new on the main port')
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')
  if (external !== undefined) {
    t.equal(await connects(external.address, port), false, `not reachable on ${external.address}`)
  }
  await app.close()
  const refused = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    () => 'answered',
    () => 'refused',
  )
  t.equal(refused, 'refused', 'the listener closes with the app')
})

t.test('many apps in one process each have their own registry, and close it', async (t) => {
  const apps = []
  for (let i = 0; i < 3; i++) apps.push((await buildHarness(t, { db, env: { METRICS_TOKEN: TOKEN } })).app)
  await apps[0]?.inject({ url: '/healthz' })
  const counts = await Promise.all(
    apps.map(async (app) =>
      sampleValue(await scrape(app, TOKEN), 'gateway_http_requests_total', {
        group: 'health',
        method: 'GET',
        status_class: '2xx',
      }),
    ),
  )
  t.same(counts, [1, Number.NaN, Number.NaN], 'one app’s request is counted by that app only')
  for (const app of apps) await app.close()
  t.equal(apps[0]?.metrics?.registry.getMetricsAsArray().length, 0, 'the registry is emptied on close')
})

t.test('a sign-up that is refused by its input is counted as rejected', async (t) => {
  const { app } = await buildHarness(t, { db, env: { METRICS_TOKEN: TOKEN } })
  const user = await signUp(app)
  const again = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: { email: user.email, name: 'Again', password: 'another long password' },
  })
  t.ok(again.statusCode >= 400 && again.statusCode < 500, `the taken email is refused (${again.statusCode})`)
  const m = await scrape(app, TOKEN)
  t.equal(sampleValue(m, 'gateway_sign_ups_total', { outcome: 'success' }), 1)
  t.equal(sampleValue(m, 'gateway_sign_ups_total', { outcome: 'rejected' }), 1)
})

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}
