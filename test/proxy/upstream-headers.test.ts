import type { IncomingHttpHeaders } from 'node:http'
import t, { type Test } from 'tap'
import {
  buildUpstreamHeaders,
  clientResponseHeaders,
  forwardedFor,
  type OutgoingHeaders,
  type UpstreamContext,
} from '../../src/proxy/upstream-headers.ts'
import { canonicalHeaderName } from '../../src/session/identity-headers.ts'

const IDENTITY = { userId: 'u_42', email: 'ann@example.com', name: 'Ann Ärger' }
const INJECTED_IDENTITY = {
  'x-user-id': 'u_42',
  'x-user-email': 'ann@example.com',
  'x-user-name': 'Ann %C3%84rger',
}
const SIGNED_IN: UpstreamContext = {
  identity: IDENTITY,
  requestId: 'gw-req-1',
  forwardedFor: '203.0.113.7',
  forwardedProto: 'https',
  forwardedHost: 'gw.example.com',
}
const ANONYMOUS: UpstreamContext = { ...SIGNED_IN, identity: null }
const FROM_CONTEXT = {
  'x-request-id': 'gw-req-1',
  'x-forwarded-for': '203.0.113.7',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'gw.example.com',
}

/** Asserts no header that canonicalises to `name` is in `out`, and the planted value is gone. */
function assertDropped(t: Test, out: OutgoingHeaders, name: string, planted: string, why: string) {
  const canonical = canonicalHeaderName(name)
  const survivors = Object.entries(out).filter(
    ([key, value]) =>
      (canonicalHeaderName(key) === canonical && !(key in FROM_CONTEXT) && !(key in INJECTED_IDENTITY)) ||
      (Array.isArray(value) ? value.includes(planted) : value === planted),
  )
  t.strictSame(survivors, [], `${name} dropped (${why})`)
}

const hopByHop: [string, string][] = [
  ['connection', 'keep-alive, x-custom'],
  ['keep-alive', 'timeout=5'],
  ['proxy-connection', 'keep-alive'],
  ['te', 'trailers'],
  ['trailer', 'x-checksum'],
  ['transfer-encoding', 'chunked'],
  ['upgrade', 'h2c'],
  ['proxy-authorization', 'Basic cHJveHk6c2VjcmV0'],
  ['proxy-authenticate', 'Basic'],
]

const identitySpellings: string[] = [
  'x-user-id',
  'X-User-Id',
  'x_user_id',
  'X_USER_EMAIL',
  'x.user.name',
  'x-user-role',
  'x-user',
  'x-auth-request-user',
  'x-auth-request-email',
  'x-forwarded-user',
  'x_forwarded_email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'remote-user',
  'REMOTE_USER',
  'remote.email',
  'remote-groups',
  'x-remote-user',
]

const forwarding: [string, string][] = [
  ['forwarded', 'for=1.2.3.4;proto=http;host=evil.example'],
  ['x-forwarded-for', '1.2.3.4'],
  ['X_Forwarded_For', '5.6.7.8'],
  ['x.forwarded.for', '9.9.9.9'],
  ['x-forwarded-host', 'evil.example'],
  ['x_forwarded_host', 'evil2.example'],
  ['x-forwarded-proto', 'http'],
  ['x-forwarded-port', '8443'],
  ['x-forwarded-prefix', '/admin'],
  ['x-forwarded-server', 'evil'],
  ['x-forwarded-scheme', 'http'],
  ['x-forwarded-ssl', 'off'],
  ['x-real-ip', '127.0.0.1'],
  ['x-client-ip', '127.0.0.2'],
  ['true-client-ip', '127.0.0.3'],
  ['x-original-url', '/admin'],
  ['x-original-uri', '/admin2'],
  ['x-rewrite-url', '/admin3'],
  ['x-request-id', 'client-chosen-id'],
]

t.test('hop-by-hop headers are removed', async (t) => {
  for (const [name, value] of hopByHop) {
    const planted = `planted-${name}-${value}`
    const out = buildUpstreamHeaders({ [name]: planted, accept: '*/*' }, ANONYMOUS)
    assertDropped(t, out, name, planted, 'hop-by-hop')
    t.strictSame(out, { accept: '*/*', ...FROM_CONTEXT }, `${name}: nothing else changes`)
  }
})

t.test('every identity spelling from the client is removed', async (t) => {
  for (const context of [ANONYMOUS, SIGNED_IN]) {
    const who = context.identity === null ? 'anonymous' : 'signed in'
    for (const name of identitySpellings) {
      const planted = `forged-${name}`
      const out = buildUpstreamHeaders({ [name]: planted }, context)
      assertDropped(t, out, name, planted, `identity forgery, ${who}`)
      t.strictSame(
        out,
        context.identity === null ? FROM_CONTEXT : { ...INJECTED_IDENTITY, ...FROM_CONTEXT },
        `${who} ${name}: only the gateway's own headers remain`,
      )
    }
  }
})

t.test('client forwarding and URL-override headers are removed; the context wins', async (t) => {
  for (const [name, value] of forwarding) {
    const planted = `${value}#${name}`
    const out = buildUpstreamHeaders({ [name]: planted }, ANONYMOUS)
    assertDropped(t, out, name, planted, 'spoofed origin/route')
    t.strictSame(out, FROM_CONTEXT, `${name}: the gateway's values, not the client's`)
  }
  const all: IncomingHttpHeaders = Object.fromEntries(forwarding.map(([n, v]) => [n, v]))
  t.strictSame(buildUpstreamHeaders(all, ANONYMOUS), FROM_CONTEXT, 'all at once: none survives')
})

t.test('cookies: the gateway’s are stripped, others kept', async (t) => {
  const rows: { name: string; cookie: string | string[]; expected: string | undefined }[] = [
    {
      name: 'session token between others',
      cookie: 'theme=dark; better-auth.session_token=tok.sig; lang=de',
      expected: 'theme=dark; lang=de',
    },
    {
      name: '__Secure- session token and data',
      cookie: '__Secure-better-auth.session_token=t; __Secure-better-auth.session_data=d; a=1',
      expected: 'a=1',
    },
    { name: 'only auth cookies: header dropped', cookie: 'better-auth.session_token=t', expected: undefined },
    {
      name: 'only auth cookies (several): header dropped',
      cookie: 'better-auth.session_token=t; better-auth.session_data=d',
      expected: undefined,
    },
    { name: 'no auth cookies: unchanged', cookie: 'a=1; b=2', expected: 'a=1; b=2' },
    {
      name: 'cookie as an array of headers',
      cookie: ['a=1', 'better-auth.session_token=t', 'b=2'],
      expected: 'a=1; b=2',
    },
  ]
  for (const row of rows) {
    const out = buildUpstreamHeaders({ cookie: row.cookie as string }, SIGNED_IN)
    t.equal(out.cookie, row.expected, row.name)
    t.equal(
      'cookie' in out,
      row.expected !== undefined,
      `${row.name}: cookie key present only when non-empty`,
    )
    t.notMatch(JSON.stringify(out), /better-auth\./, `${row.name}: no better-auth cookie anywhere`)
  }
})

t.test('ordinary headers pass unchanged', async (t) => {
  const incoming: IncomingHttpHeaders = {
    accept: 'application/json',
    'accept-language': 'de-CH',
    'user-agent': 'curl/8.0',
    authorization: 'Bearer client-api-token',
    'content-type': 'application/json',
    'content-length': '12',
    host: 'gw.example.com',
    'x-custom': 'value',
    'x-username': 'not-owned',
    'x-multi': ['a', 'b'],
    'user-agent-extra': undefined,
  }
  const out = buildUpstreamHeaders(incoming, ANONYMOUS)
  t.strictSame(out, {
    accept: 'application/json',
    'accept-language': 'de-CH',
    'user-agent': 'curl/8.0',
    authorization: 'Bearer client-api-token',
    'content-type': 'application/json',
    'content-length': '12',
    host: 'gw.example.com',
    'x-custom': 'value',
    'x-username': 'not-owned',
    'x-multi': ['a', 'b'],
    ...FROM_CONTEXT,
  })
  t.strictSame(
    buildUpstreamHeaders({ Accept: 'text/html', 'X-Custom': 'v' } as IncomingHttpHeaders, ANONYMOUS),
    { accept: 'text/html', 'x-custom': 'v', ...FROM_CONTEXT },
    'names are lower-cased',
  )
})

t.test('identity is injected only when the context has one', async (t) => {
  const incoming: IncomingHttpHeaders = { accept: '*/*', 'x-user-id': 'admin', 'x-user-email': 'root@corp' }
  t.strictSame(buildUpstreamHeaders(incoming, SIGNED_IN), {
    accept: '*/*',
    ...INJECTED_IDENTITY,
    ...FROM_CONTEXT,
  })
  const anonymous = buildUpstreamHeaders(incoming, ANONYMOUS)
  t.strictSame(anonymous, { accept: '*/*', ...FROM_CONTEXT })
  t.notOk(
    Object.keys(anonymous).some((k) => k.startsWith('x-user')),
    'anonymous: no x-user-* header at all',
  )
})

t.test('a full hostile request, signed in: exact output', async (t) => {
  const incoming: IncomingHttpHeaders = {
    host: 'evil.example',
    connection: 'keep-alive, x-user-id',
    'keep-alive': 'timeout=5',
    'x-user-id': 'admin',
    x_user_email: 'root@corp',
    remote_user: 'root',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-host': 'internal.corp',
    'x-forwarded-proto': 'http',
    forwarded: 'for=127.0.0.1',
    'x-real-ip': '127.0.0.1',
    'x-original-url': '/admin',
    'x-request-id': 'forged',
    cookie: 'better-auth.session_token=t.s; csrftoken=abc',
    accept: 'application/json',
  }
  t.strictSame(buildUpstreamHeaders(incoming, SIGNED_IN), {
    host: 'evil.example',
    cookie: 'csrftoken=abc',
    accept: 'application/json',
    ...INJECTED_IDENTITY,
    ...FROM_CONTEXT,
  })
})

t.test('a websocket handshake keeps its own headers; the tunnel adds Upgrade back itself', async (t) => {
  const incoming: IncomingHttpHeaders = {
    host: 'gw.example.com',
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
    'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
    'sec-websocket-protocol': 'v1, v2',
    origin: 'https://gw.example.com',
    'x-user-id': 'admin',
  }
  t.strictSame(buildUpstreamHeaders(incoming, SIGNED_IN), {
    host: 'gw.example.com',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
    'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
    'sec-websocket-protocol': 'v1, v2',
    origin: 'https://gw.example.com',
    ...INJECTED_IDENTITY,
    ...FROM_CONTEXT,
  })
})

t.test('Expect is answered by the gateway, never forwarded', async (t) => {
  t.strictSame(buildUpstreamHeaders({ expect: '100-continue', 'content-length': '2048' }, ANONYMOUS), {
    'content-length': '2048',
    ...FROM_CONTEXT,
  })
})

t.test('forwardedFor: only a trusted peer may extend the chain', async (t) => {
  const rows: [string, string, string | string[] | undefined, boolean, string][] = [
    ['untrusted peer with a chain: chain discarded (spoofing)', '10.0.0.9', '1.2.3.4', false, '10.0.0.9'],
    ['untrusted peer with an array chain', '10.0.0.9', ['1.2.3.4', '5.6.7.8'], false, '10.0.0.9'],
    ['untrusted peer, no chain', '10.0.0.9', undefined, false, '10.0.0.9'],
    ['trusted peer with a chain', '10.0.0.9', '1.2.3.4, 5.6.7.8', true, '1.2.3.4, 5.6.7.8, 10.0.0.9'],
    [
      'trusted peer, repeated header as array',
      '10.0.0.9',
      ['1.2.3.4', '5.6.7.8'],
      true,
      '1.2.3.4, 5.6.7.8, 10.0.0.9',
    ],
    ['trusted peer, empty chain', '10.0.0.9', '', true, '10.0.0.9'],
    ['trusted peer, empty array', '10.0.0.9', [], true, '10.0.0.9'],
    ['trusted peer, no header', '::1', undefined, true, '::1'],
  ]
  for (const [name, peer, chain, trusted, expected] of rows) {
    t.equal(forwardedFor(peer, chain, trusted), expected, name)
  }
})

t.test('clientResponseHeaders: what an upstream response may pass to the client', async (t) => {
  const rows: { name: string; upstream: Record<string, unknown>; expected: Record<string, unknown> }[] = [
    {
      name: 'the usual keep-alive pair is hop-by-hop',
      upstream: { 'content-type': 'text/plain', connection: 'keep-alive', 'keep-alive': 'timeout=5' },
      expected: { 'content-type': 'text/plain' },
    },
    {
      name: 'headers named in Connection go too',
      upstream: { connection: 'close, X-Internal-Token', 'x-internal-token': 's3cret', etag: '"1"' },
      expected: { etag: '"1"' },
    },
    {
      name: 'a Connection list, as an array',
      upstream: { connection: ['keep-alive', 'x-a'], 'x-a': '1', 'x-b': '2' },
      expected: { 'x-b': '2' },
    },
    {
      name: 'reflected identity headers, any spelling',
      upstream: { 'x-user-id': 'u', X_User_Email: 'e', 'remote-user': 'r', 'x-username': 'kept' },
      expected: { 'x-username': 'kept' },
    },
    {
      name: 'transfer-encoding stays (reply-from re-frames the body)',
      upstream: { 'transfer-encoding': 'chunked', 'set-cookie': ['a=1', 'b=2'] },
      expected: { 'transfer-encoding': 'chunked', 'set-cookie': ['a=1', 'b=2'] },
    },
  ]
  for (const row of rows) t.strictSame(clientResponseHeaders(row.upstream), row.expected, row.name)
})
