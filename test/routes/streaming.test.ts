// Streams through the gateway: the time to an upstream's response head
// (UPSTREAM_TIMEOUT_MS) is not the time a body may stay quiet
// (UPSTREAM_IDLE_TIMEOUT_MS), so an event stream that is silent for a while
// keeps flowing; a body that stalls past the idle timeout ends with a closed
// connection and no terminating chunk (never a truncation that looks
// complete) and a log line.
import { request } from 'node:http'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import t from 'tap'
import { startBehaviourUpstream } from '../fixtures/behaviour-upstream.ts'
import { buildHarness, fileDatabase, listen } from '../helper.ts'

const db = await fileDatabase(t)
const upstream = await startBehaviourUpstream()
t.teardown(() => upstream.close())
const logLines: Record<string, unknown>[] = []
const { app } = await buildHarness(t, {
  db,
  env: { API_UPSTREAM_URL: upstream.url, UPSTREAM_TIMEOUT_MS: '300', UPSTREAM_IDLE_TIMEOUT_MS: '1200' },
  fastify: {
    logger: {
      level: 'warn',
      stream: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(JSON.parse(String(chunk)))
          done()
        },
      }),
    },
  },
})
const port = await listen(app)

t.test('an event stream quiet for longer than UPSTREAM_TIMEOUT_MS keeps flowing', async (t) => {
  const { gapMs, status, body } = await new Promise<{ gapMs: number; status: number; body: string }>(
    (resolve, reject) => {
      const req = request(`http://127.0.0.1:${port}/api/events?quiet=700`, (res) => {
        const headAt = Date.now()
        let firstDataAt = 0
        let body = ''
        res.on('data', (d: Buffer) => {
          firstDataAt ||= Date.now()
          body += d.toString()
        })
        res.on('end', () => resolve({ gapMs: firstDataAt - headAt, status: res.statusCode ?? 0, body }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    },
  )
  t.equal(status, 200)
  t.equal(body, 'data: first\n\ndata: second\n\n', 'both events, 700 ms apart, with the timeout at 300 ms')
  // The upstream sends its head, then waits 700 ms: held back until the first
  // event, the head would arrive with it.
  t.ok(gapMs >= 400, `the head reached the client ${gapMs} ms before the first event, as directly`)
})

t.test(
  'a body that stalls past UPSTREAM_IDLE_TIMEOUT_MS: connection closed, no final chunk, a log line',
  async (t) => {
    const raw = await new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
      const started = Date.now()
      const socket = connect(port, '127.0.0.1')
      let text = ''
      socket.on('data', (d) => {
        text += d.toString('latin1')
      })
      socket.on('error', () => {})
      socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }))
      socket.write('GET /api/stall HTTP/1.1\r\nHost: gw\r\n\r\n')
    })
    t.match(raw.text, /^HTTP\/1\.1 200 OK\r\n/, 'the head went out as it came')
    t.match(raw.text, /transfer-encoding: chunked/i)
    t.match(raw.text, /\r\n7\r\npartial\r\n$/, "the upstream's partial chunk, and nothing after it")
    t.notMatch(raw.text, /\r\n0\r\n\r\n/, 'no terminating chunk: the client can tell the body is incomplete')
    t.ok(
      raw.closedAfterMs >= 1100,
      `closed after the idle timeout (${raw.closedAfterMs} ms), not the head timeout`,
    )
    const logged = logLines.find((line) => JSON.stringify(line).includes('UND_ERR_BODY_TIMEOUT'))
    t.ok(logged, 'the stall is logged')
    t.equal(logged?.level, 40, 'at warn')
  },
)

t.test('a Node client sees the stalled body as an error, never as a complete response', async (t) => {
  const outcome = await new Promise<string>((resolve) => {
    const req = request(`http://127.0.0.1:${port}/api/stall`, (res) => {
      res.on('data', () => {})
      res.on('end', () => resolve('complete'))
      res.on('error', (err) => resolve(`error: ${err.message}`))
      res.on('aborted', () => resolve('aborted'))
    })
    req.on('error', (err) => resolve(`error: ${err.message}`))
    req.end()
  })
  t.not(outcome, 'complete')
})
