import { Registry } from 'prom-client'
import t from 'tap'
import { LATENCY_BUCKETS, LatencyHistogram } from '../../src/metrics/latency-histogram.ts'
import { RequestCounts } from '../../src/metrics/request-counts.ts'
import { groupIndex } from '../../src/metrics/route-groups.ts'
import { counterFrom, gaugeFrom, labelledGaugeFrom } from '../../src/metrics/scrape-time.ts'
import { histogramOf, parseMetrics, sampleValue, seriesOf } from '../fixtures/prometheus.ts'

t.test('request counts: one slot per group, method and status class', async (t) => {
  const counts = new RequestCounts()
  t.same(counts.samples(), [], 'nothing counted: no series')
  const api = groupIndex('api')
  counts.count(api, 'GET', 200)
  counts.count(api, 'GET', 204)
  counts.count(api, 'GET', 404)
  counts.count(api, 'PROPFIND', 207)
  counts.count(groupIndex('other'), 'DELETE', 599)
  counts.count(groupIndex('other'), 'HEAD', 101)
  counts.count(groupIndex('other'), 'PATCH', 700)
  counts.count(groupIndex('pages'), 'POST', 303)
  counts.count(groupIndex('health'), 'OPTIONS', 200)
  counts.count(groupIndex('docs'), 'PUT', 500)
  const flat = Object.fromEntries(
    counts.samples().map((s) => [`${s.labels.group} ${s.labels.method} ${s.labels.status_class}`, s.value]),
  )
  t.same(flat, {
    'api GET 2xx': 2,
    'api GET 4xx': 1,
    'api other 2xx': 1,
    'other DELETE 5xx': 1,
    'other HEAD 1xx': 1,
    'other PATCH 5xx': 1,
    'pages POST 3xx': 1,
    'health OPTIONS 2xx': 1,
    'docs PUT 5xx': 1,
  })
})

t.test('latency histogram: an observation on a bound lands in that bucket', async (t) => {
  const histogram = new LatencyHistogram('x_seconds', 'help')
  const registry = new Registry()
  registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0])
  t.notMatch(await registry.metrics(), /x_seconds_count/, 'no upstream answered yet: no series')
  histogram.observe(0, 0.001)
  histogram.observe(0, 0.0011)
  histogram.observe(0, 100)
  histogram.observe(1, 0)
  const text = await registry.metrics()
  t.equal(parseMetrics(text).get('x_seconds')?.type, 'HISTOGRAM')
  const api = histogramOf(text, 'x_seconds', 'upstream', 'api')
  t.equal(api.buckets?.['0.001'], '1', 'exactly 1 ms: le="0.001"')
  t.equal(api.buckets?.['0.0025'], '2', 'cumulative')
  t.equal(api.buckets?.['30'], '2', 'the last bound')
  t.equal(api.buckets?.['+Inf'], '3', '100 s only in +Inf')
  t.equal(Object.keys(api.buckets ?? {}).length, LATENCY_BUCKETS.length + 1)
  t.equal(api.count, '3')
  t.equal(Number(api.sum), 0.001 + 0.0011 + 100)
  const docs = histogramOf(text, 'x_seconds', 'upstream', 'docs')
  t.equal(docs.buckets?.['0.001'], '1', '0 s in the first bucket')
  t.equal(docs.count, '1')
})

t.test('values read at scrape time', async (t) => {
  const registry = new Registry()
  let n = 0
  counterFrom(registry, 'c_total', 'a counter', () => n)
  gaugeFrom(registry, 'g', 'a gauge', () => n * 2)
  let states: { labels: { state: string }; value: number }[] = [{ labels: { state: 'up' }, value: 1 }]
  labelledGaugeFrom(registry, 'l', 'labelled', ['state'], () => states)
  n = 5
  let m = parseMetrics(await registry.metrics())
  t.equal(sampleValue(m, 'c_total'), 5)
  t.equal(sampleValue(m, 'g'), 10)
  t.same(seriesOf(m, 'l'), { 'state=up': 1 })
  n = 7
  states = [{ labels: { state: 'down' }, value: 1 }]
  m = parseMetrics(await registry.metrics())
  t.equal(sampleValue(m, 'c_total'), 7, 'set afresh, not added up')
  t.same(seriesOf(m, 'l'), { 'state=down': 1 }, 'a series no longer reported disappears')
})
