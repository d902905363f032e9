// Websockets through the gateway behave as on a direct connection: every row
// runs one client scenario against a real `ws` upstream twice, directly and
// through the gateway, and the two observations must be the same. The
// handshake is the upstream's (subprotocol, extensions, refusals), and so is
// the rest of the lifecycle (close codes and reasons both ways, drops).
import { connect } from 'node:net'
import t from 'tap'
import WebSocket from 'ws'
import { serverOptions } from '../../src/http/server-options.ts'
import { startEchoUpstream } from '../fixtures/echo-upstream.ts'
import { exchange } from '../fixtures/raw-http.ts'
import { startWebsocketUpstream, type WebsocketUpstreamOptions } from '../fixtures/websocket-upstream.ts'
import { buildHarness, fileDatabase, listen, type Teardown } from '../helper.ts'

const db = await fileDatabase(t)

interface Scenario {
  protocols?: string[]
  /** Messages sent once open. */
  send?: (string | Buffer)[]
  /** Close from the client with [code, reason] once this many messages have arrived. */
  clientClose?: { after: number; code: number; reason: string }
}

interface Observation {
  status: number
  body?: string
  protocol?: string
  extensions?: string
  messages?: string[]
  close?: { code: number; reason: string }
}

function observe(url: string, scenario: Scenario): Promise<Observation> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, scenario.protocols ?? [], { perMessageDeflate: true })
    const seen: Observation = { status: 101, messages: [] }
    const guard = setTimeout(() => ws.terminate(), 5000)
    ws.on('upgrade', (res) => {
      seen.extensions = String(res.headers['sec-websocket-extensions'] ?? '')
    })
    ws.on('open', () => {
      seen.protocol = ws.protocol
      for (const message of scenario.send ?? []) ws.send(message)
    })
    ws.on('message', (data, binary) => {
      const buffer = data as Buffer
      seen.messages?.push(
        binary ? `binary ${buffer.length} bytes, sum ${checksum(buffer)}` : buffer.toString(),
      )
      const close = scenario.clientClose
      if (close !== undefined && seen.messages?.length === close.after) ws.close(close.code, close.reason)
    })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => {
        clearTimeout(guard)
        ws.terminate()
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    ws.on('error', () => {})
    ws.on('close', (code, reason) => {
      clearTimeout(guard)
      if (seen.status === 101) resolve({ ...seen, close: { code, reason: reason.toString() } })
    })
  })
}

function checksum(buffer: Buffer): number {
  let sum = 0
  for (const byte of buffer) sum = (sum + byte) % 65521
  return sum
}

const big = Buffer.alloc(1024 * 1024, 7)
big.write('not all sevens')

const rows: {
  name: string
  upstream: WebsocketUpstreamOptions
  scenario: Scenario
  expect: (seen: Observation) => boolean
}[] = [
  {
    name: 'client offers v1 and v2, the upstream accepts only v2 (fastify/fastify-http-proxy#256)',
    upstream: { accepts: 'v2' },
    scenario: { protocols: ['v1', 'v2'], send: ['ping', 'close:1000:'] },
    expect: (seen) => seen.protocol === 'v2' && seen.close?.code === 1000,
  },
  {
    name: 'the upstream picks none of the offered subprotocols: the client fails the connection (RFC 6455 §4.1)',
    upstream: {},
    scenario: { protocols: ['graphql-ws'], send: ['close:1000:'] },
    expect: (seen) => seen.messages?.length === 0 && seen.close?.code === 1006,
  },
  {
    name: 'permessage-deflate is negotiated by the upstream, not the gateway',
    upstream: { perMessageDeflate: true },
    scenario: { send: ['x'.repeat(100_000), 'close:1000:'] },
    expect: (seen) => (seen.extensions ?? '').startsWith('permessage-deflate') && seen.messages?.length === 2,
  },
  {
    name: 'an upstream without compression answers without the extension',
    upstream: { perMessageDeflate: false },
    scenario: { send: ['close:1000:'] },
    expect: (seen) => seen.extensions === '',
  },
  {
    name: 'binary frames and a 1 MiB message arrive intact',
    upstream: {},
    scenario: { send: [Buffer.from([0, 1, 2, 255]), big, 'close:1000:'] },
    expect: (seen) => seen.messages?.[2] === `binary ${big.length} bytes, sum ${checksum(big)}`,
  },
  {
    name: 'the upstream closes with an application code and reason (4001 "bye")',
    upstream: {},
    scenario: { send: ['close:4001:bye'] },
    expect: (seen) => seen.close?.code === 4001 && seen.close.reason === 'bye',
  },
  {
    name: 'the upstream closes with 1011 and a UTF-8 reason',
    upstream: {},
    scenario: { send: ['close:1011:überlastet'] },
    expect: (seen) => seen.close?.code === 1011 && seen.close.reason === 'überlastet',
  },
  {
    name: 'the client closes with 4002 "done" (the upstream records it below)',
    upstream: {},
    scenario: { send: ['one'], clientClose: { after: 2, code: 4002, reason: 'done' } },
    expect: (seen) => seen.close?.code === 4002,
  },
  {
    name: 'the upstream drops the TCP connection without a close frame: 1006 on both paths',
    upstream: {},
    scenario: { send: ['drop'] },
    expect: (seen) => seen.close?.code === 1006,
  },
  {
    name: 'the upstream refuses the handshake: its status, headers and body reach the client',
    upstream: {
      refuseWith:
        'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 15\r\nconnection: close\r\n\r\norigin rejected',
    },
    scenario: {},
    expect: (seen) => seen.status === 403 && seen.body === 'origin rejected',
  },
  {
    name: 'the upstream has no websocket at that path: a plain 426 with its body',
    upstream: {
      refuseWith:
        'HTTP/1.1 426 Upgrade Required\r\nupgrade: websocket\r\ncontent-length: 3\r\nconnection: close\r\n\r\nnew',
    },
    scenario: {},
    expect: (seen) => seen.status === 426 && seen.body === 'new',
  },
]

for (const row of rows) {
  t.test(row.name, async (t) => {
    const { upstream, port } = await gatewayTo(t, row.upstream)
    const direct = await observe(`${upstream.url.replace('http', 'ws')}/api/socket`, row.scenario)
    const through = await observe(`ws://127.0.0.1:${port}/api/socket`, row.scenario)
    t.ok(row.expect(direct), `direct: ${JSON.stringify(direct).slice(0, 300)}`)
    t.same(through, direct, 'through the gateway as directly')
    if (row.scenario.clientClose !== undefined) {
      await waitFor(() => upstream.closes.length === 2)
      t.same(upstream.closes, [
        { code: 4002, reason: 'done' },
        { code: 4002, reason: 'done' },
      ])
    }
    await waitFor(() => upstream.openSockets() === 0)
    t.equal(upstream.openSockets(), 0, 'no upstream connection outlives the client')
  })
}

/** A listening gateway whose API upstream is a real ws server with these options. */
async function gatewayTo(t: Teardown, options: WebsocketUpstreamOptions) {
  const upstream = await startWebsocketUpstream(options)
  t.teardown(() => upstream.close())
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: upstream.url } })
  return { upstream, app, port: await listen(app) }
}

/** A websocket open through a listening gateway to a real ws upstream, its greeting received. */
async function openThroughGateway(t: Teardown) {
  const { upstream, app, port } = await gatewayTo(t, {})
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/socket`)
  await new Promise((r) => ws.once('message', r))
  return { upstream, app, ws }
}

async function waitFor(condition: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
}

t.test('a client that leaves mid-handshake takes the upstream request with it', async (t) => {
  const { upstream, port } = await gatewayTo(t, { stall: true })
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/socket`)
  ws.on('error', () => {})
  await waitFor(() => upstream.handshakes.length === 1)
  t.equal(upstream.openSockets(), 1, 'the handshake reached the upstream')
  ws.terminate()
  await waitFor(() => upstream.openSockets() === 0)
  t.equal(upstream.openSockets(), 0, 'the upstream connection closed with the client')
})

t.test('a client that leaves an open websocket closes the upstream side too', async (t) => {
  const { upstream, ws } = await openThroughGateway(t)
  t.equal(upstream.openSockets(), 1)
  ws.terminate()
  await waitFor(() => upstream.openSockets() === 0)
  t.equal(upstream.openSockets(), 0)
  await waitFor(() => upstream.closes.length === 1)
  t.same(
    upstream.closes,
    [{ code: 1006, reason: '' }],
    'the upstream sees the abnormal closure a direct drop gives',
  )
})

t.test('handshake faults: 502 when the upstream is down, 504 when it never answers', async (t) => {
  const stalled = await startWebsocketUpstream({ stall: true })
  t.teardown(() => stalled.close())
  const down = await startWebsocketUpstream()
  const downUrl = down.url
  await down.close()
  const { app } = await buildHarness(t, {
    db,
    env: { API_UPSTREAM_URL: downUrl, DOCS_UPSTREAM_URL: stalled.url, UPSTREAM_TIMEOUT_MS: '300' },
  })
  const port = await listen(app)
  const refused = await observe(`ws://127.0.0.1:${port}/api/socket`, {})
  t.equal(refused.status, 502)
  t.equal(JSON.parse(refused.body ?? '{}').code, 'GW_BAD_GATEWAY')
  t.notMatch(refused.body ?? '', /127\.0\.0\.1|ECONN/, 'no internal address in the body')
  const slow = await observe(`ws://127.0.0.1:${port}/docs/socket`, {})
  t.equal(slow.status, 504)
  t.match(slow.body ?? '', /<h1>504<\/h1>/, 'a page surface answers HTML')
  await waitFor(() => stalled.openSockets() === 0)
  t.equal(stalled.openSockets(), 0, 'the timed-out handshake left no upstream connection')
})

t.test('open websockets do not hold up shutdown', async (t) => {
  const { upstream, app, ws } = await openThroughGateway(t)
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
  await app.close()
  t.equal(await closed, 1006, 'the client sees the connection end')
  await waitFor(() => upstream.openSockets() === 0)
  t.equal(upstream.openSockets(), 0)
})

t.test(
  'upgrades that are not a proxied websocket get a plain answer, then the connection closes',
  async (t) => {
    const api = await startEchoUpstream()
    t.teardown(() => api.close())
    const { app } = await buildHarness(t, { db, api })
    const port = await listen(app)
    const rows: [string, string, RegExp][] = [
      [
        'curl --http2 on http:// asks for h2c; served as HTTP/1.1',
        'GET /api/h2c HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n',
        /^HTTP\/1\.1 200 [\s\S]*"url":"\/api\/h2c"/,
      ],
      [
        'a websocket handshake to a gateway page that is not proxied',
        'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        /^HTTP\/1\.1 200 /,
      ],
      [
        'a websocket handshake to an unknown path',
        'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        /^HTTP\/1\.1 404 /,
      ],
    ]
    for (const [name, request, expected] of rows) {
      const { text, closed } = await exchange(port, request)
      t.match(text, expected, name)
      t.ok(closed, `${name}: connection closed after the answer`)
    }
    const upgrades = api.received.filter((r) => r.url === '/api/h2c')
    t.equal(upgrades.length, 1)
    t.notOk(upgrades[0]?.headers.upgrade, 'the upstream never sees the Upgrade it cannot be given')
  },
)

t.test("an open websocket outlives the server's header, body and keep-alive timeouts", async (t) => {
  const upstream = await startWebsocketUpstream()
  t.teardown(() => upstream.close())
  const { app } = await buildHarness(t, {
    db,
    env: { API_UPSTREAM_URL: upstream.url, REQUEST_BODY_IDLE_TIMEOUT_MS: '300' },
    fastify: serverOptions({ headersTimeoutMs: 200, keepAliveTimeoutMs: 200 }),
  })
  const port = await listen(app)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/socket`)
  const messages: string[] = []
  ws.on('message', (data) => messages.push(data.toString()))
  await new Promise((r) => ws.once('open', r))
  await new Promise((r) => setTimeout(r, 1500))
  ws.send('still here')
  await waitFor(() => messages.length === 2)
  t.same(messages, ['hello', 'still here'])
  ws.close()
})

t.test('found in review: faults around the handshake end cleanly', async (t) => {
  await t.test(
    'an upstream answering the handshake with status 600: 502, and the gateway lives on',
    async (t) => {
      const { app, port } = await gatewayTo(t, {
        refuseWith: 'HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n',
      })
      const seen = await observe(`ws://127.0.0.1:${port}/api/socket`, {})
      t.equal(seen.status, 502)
      t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'still serving')
    },
  )

  await t.test('shutdown during a handshake: the handshake ends, close() does not wait for it', async (t) => {
    const { upstream, app, port } = await gatewayTo(t, { stall: true })
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/socket`)
    ws.on('error', () => {})
    const closed = new Promise((r) => ws.once('close', r))
    await waitFor(() => upstream.handshakes.length === 1)
    const started = Date.now()
    await app.close()
    await closed
    t.ok(Date.now() - started < 3000, `closed in ${Date.now() - started} ms`)
    await waitFor(() => upstream.openSockets() === 0)
    t.equal(upstream.openSockets(), 0, 'no upstream connection left')
  })

  await t.test(
    'a client that sends bytes during its handshake, then leaves: both sides closed',
    async (t) => {
      const { upstream, port } = await gatewayTo(t, { stall: true })
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      socket.write(
        'GET /api/socket HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      )
      await waitFor(() => upstream.handshakes.length === 1)
      socket.end(Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0]))
      await waitFor(() => upstream.openSockets() === 0)
      t.equal(upstream.openSockets(), 0, 'the upstream connection closed with the client')
    },
  )
})
