// Smuggling through upgrades. A proxy that forwards an Upgrade it cannot
// honour, or keeps a tunnel open after the upstream refused the upgrade,
// lets the client talk to the upstream unchecked. The gateway tunnels only a
// well-formed websocket handshake, only after the upstream answered 101, and
// never forwards Upgrade otherwise. Raw bytes to a listening gateway; every
// assertion is on what the real upstreams received.
import t from 'tap'
import { startEchoUpstream } from '../fixtures/echo-upstream.ts'
import { exchange } from '../fixtures/raw-http.ts'
import { startWebsocketUpstream } from '../fixtures/websocket-upstream.ts'
import { buildHarness, fileDatabase, listen, type Teardown } from '../helper.ts'

const db = await fileDatabase(t)

/** A listening gateway in front of an echo upstream that records what it got. */
async function gatewayWithEcho(t: Teardown) {
  const api = await startEchoUpstream()
  t.teardown(() => api.close())
  const { app } = await buildHarness(t, { db, api })
  return { api, port: await listen(app) }
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
const SMUGGLED = 'GET /api/smuggled HTTP/1.1\r\nHost: upstream\r\n\r\n'
const handshake = (path: string, headers: string) =>
  `GET ${path} HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${headers}\r\n`

t.test('malformed websocket handshakes are refused at the gateway', async (t) => {
  const { api, port } = await gatewayWithEcho(t)
  const rows: { name: string; source: string; bytes: string; status: number; head?: RegExp }[] = [
    {
      name: 'no Sec-WebSocket-Key',
      source: 'RFC 6455 §4.2.1 (the server must answer 400)',
      bytes: handshake('/api/socket', 'Sec-WebSocket-Version: 13\r\n'),
      status: 400,
    },
    {
      name: 'a key that is not 16 bytes of base64',
      source: 'RFC 6455 §4.2.1',
      bytes: handshake('/api/socket', 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n'),
      status: 400,
    },
    {
      name: 'an unknown websocket version',
      source:
        'RFC 6455 §4.4 (426 with the versions the server speaks); 0ang3el/websocket-smuggling, variant 1',
      bytes:
        handshake('/api/socket', `Sec-WebSocket-Version: 1337\r\nSec-WebSocket-Key: ${KEY}\r\n`) + SMUGGLED,
      status: 426,
      head: /sec-websocket-version: 13/i,
    },
  ]
  for (const row of rows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const before = api.received.length
      const { text, closed } = await exchange(port, row.bytes)
      t.match(text, new RegExp(`^HTTP/1\\.1 ${row.status} `), `${row.name} [${row.source}]: ${row.status}`)
      if (row.head) t.match(text, row.head, `${row.name}: says which version`)
      t.ok(closed, `${row.name}: connection closed`)
      t.equal(api.received.length, before, `${row.name}: nothing reached the upstream`)
    })
  }
})

t.test(
  'an upstream that refuses the upgrade gets no tunnel (0ang3el/websocket-smuggling, variant 2)',
  async (t) => {
    // The upstream answers a non-101 to the handshake; a proxy that pipes the
    // sockets anyway hands the client a raw connection to the upstream, and
    // the request pipelined after the handshake reaches it unchecked.
    const upstream = await startWebsocketUpstream({
      refuseWith: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 12\r\n\r\nno websocket',
    })
    t.teardown(() => upstream.close())
    const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: upstream.url } })
    const port = await listen(app)
    const { text, closed } = await exchange(
      port,
      handshake('/api/socket', `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n`) + SMUGGLED,
    )
    t.match(text, /^HTTP\/1\.1 200 OK[\s\S]*no websocket$/, "the upstream's refusal, as it sent it")
    t.equal((text.match(/HTTP\/1\.1 /g) ?? []).length, 1, 'one answer only: the pipelined request got none')
    t.ok(closed, 'and the connection closed')
    t.equal(upstream.handshakes.length, 1, 'the upstream saw the handshake')
    t.equal(upstream.plainRequests(), 0, 'and never the smuggled request')
  },
)

t.test('Upgrade: h2c is never passed on (Bishop Fox h2c smuggling, 2020)', async (t) => {
  const { api, port } = await gatewayWithEcho(t)
  const { text, closed } = await exchange(
    port,
    'GET /api/echo HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
      `HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n${SMUGGLED}`,
  )
  t.match(text, /^HTTP\/1\.1 200 /, 'served as plain HTTP/1.1, as a server that ignores Upgrade does')
  t.equal(
    (text.match(/HTTP\/1\.1 /g) ?? []).length,
    1,
    'one answer; bytes after an Upgrade request are not read as HTTP',
  )
  t.ok(closed, 'and the connection closed')
  const got = api.received.filter((r) => r.url === '/api/echo')
  t.equal(got.length, 1)
  t.notOk(got[0]?.headers.upgrade, 'no Upgrade upstream')
  t.notOk(got[0]?.headers['http2-settings'], 'no HTTP2-Settings upstream')
  t.notOk(
    api.received.some((r) => r.url === '/api/smuggled'),
    'the smuggled request never arrives',
  )
})

t.test('an Upgrade request with a body: 400, as ambiguous framing (found in review)', async (t) => {
  // Node hands whatever follows the head of an Upgrade request to the new
  // protocol: served as a plain request, the body would silently be lost
  // (curl --http2 -X POST on http:// sends Upgrade: h2c with its body).
  const { api, port } = await gatewayWithEcho(t)
  const rows: [string, string][] = [
    [
      'websocket Upgrade on a POST with Content-Length',
      'POST /api/echo HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\nContent-Length: 5\r\n\r\nhello${SMUGGLED}`,
    ],
    [
      'h2c Upgrade on a POST with Content-Length (curl --http2 --data)',
      'POST /api/echo HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n' +
        'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 14\r\n\r\nimportant-data',
    ],
    [
      'h2c Upgrade on a chunked POST',
      'POST /api/echo HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    ],
  ]
  for (const [name, bytes] of rows) {
    await t.test(name, async (t) => {
      const before = api.received.length
      const { text, closed } = await exchange(port, bytes)
      t.match(text, /^HTTP\/1\.1 400 [\s\S]*GW_BAD_FRAMING/, `${name}: 400`)
      t.ok(closed, `${name}: connection closed`)
      t.equal(api.received.length, before, `${name}: nothing reached the upstream`)
    })
  }
  t.notOk(
    api.received.some((r) => r.url === '/api/smuggled'),
    'the smuggled request never arrives',
  )
})
