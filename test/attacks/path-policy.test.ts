// Class 2: path policy. AUTH_REQUIRED_PATHS=/api/private,/docs/internal.
// Every spelling a backend could decode or normalise into a protected path
// gets the protected path's policy (401 without a session) or is refused
// (400); it is never forwarded anonymously. Rows go through the real app;
// raw-wire rows use a socket because inject() and fetch would clean them up.
import t from 'tap'
import { rawRequest } from '../fixtures/raw-http.ts'
import { buildHarness, fileDatabase, listen } from '../helper.ts'

const db = await fileDatabase(t)
const ENV = { AUTH_REQUIRED_PATHS: '/api/private,/docs/internal' }

type Expect = 'protected' | 'rejected' | 'public' | 'not-routed'
interface Row {
  name: string
  source: string
  url: string
  expect: Expect
}

const rows: Row[] = [
  { name: 'baseline', source: 'contract', url: '/api/private/report', expect: 'protected' },
  { name: 'baseline docs', source: 'contract', url: '/docs/internal/guide', expect: 'protected' },
  {
    name: 'public path with a protected-looking query',
    source: 'oauth2-proxy GHSA-7rh7-c77v-6434 (/foo/critical_endpoint?param=/bar)',
    url: '/api/public?param=/api/private',
    expect: 'public',
  },
  {
    name: 'protected path with a public-looking query',
    source: 'oauth2-proxy GHSA-7rh7-c77v-6434',
    url: '/api/private/report?param=/api/public',
    expect: 'protected',
  },
  {
    name: 'encoded # in path',
    source: 'oauth2-proxy GHSA-pxq7-h93f-9jrg (/foo/secret%23/bar)',
    url: '/api/private%23/x',
    expect: 'rejected',
  },
  {
    name: 'double-encoded #',
    source: 'oauth2-proxy GHSA-pxq7-h93f-9jrg (casebook %2523)',
    url: '/api/private%2523/x',
    expect: 'rejected',
  },
  {
    name: 'encoded ? in path',
    source: 'oauth2-proxy GHSA-pxq7-h93f-9jrg (same class)',
    url: '/api/private%3F/x',
    expect: 'rejected',
  },
  {
    name: 'encoded dot-dot',
    source: '@fastify/reply-from GHSA-2q7r-29rg-6m5h (%2e%2e)',
    url: '/api/public/%2e%2e/private',
    expect: 'rejected',
  },
  {
    name: 'encoded dot-dot, upper case',
    source: '@fastify/reply-from GHSA-2q7r-29rg-6m5h (/ho/%2E%2E/hi)',
    url: '/api/public/%2E%2E/private',
    expect: 'rejected',
  },
  {
    name: 'dot-dot with encoded slash',
    source: '@fastify/reply-from GHSA-2q7r-29rg-6m5h',
    url: '/api/public/..%2fprivate',
    expect: 'rejected',
  },
  {
    name: 'escape the docs prefix into the API',
    source: 'fastify-http-proxy CVE-2021-21322',
    url: '/docs/%2e%2e/api/private',
    expect: 'rejected',
  },
  {
    name: 'escape via encoded slashes',
    source: 'fastify-reply-from CVE-2021-21321',
    url: '/docs%2f..%2fapi%2fprivate',
    expect: 'not-routed',
  },
  {
    name: 'dot-dot hidden by a matrix parameter',
    source: 'Tomcat/Spring ..;/ normalisation',
    url: '/api/public/..;/private',
    expect: 'rejected',
  },
  {
    name: 'double-encoded dot-dot',
    source: 'double decoding (CWE-174)',
    url: '/api/public/%252e%252e/private',
    expect: 'rejected',
  },
  {
    name: 'upper-case segment',
    source: 'case-insensitive backends',
    url: '/api/PRIVATE/report',
    expect: 'protected',
  },
  {
    name: 'upper-case prefix is not routed',
    source: 'router is case-sensitive',
    url: '/API/private/report',
    expect: 'not-routed',
  },
  {
    name: 'encoded letter',
    source: 'percent-encoded unreserved characters (RFC 3986 §2.3)',
    url: '/api/%70rivate/report',
    expect: 'protected',
  },
  {
    name: 'double-encoded letter',
    source: 'double decoding (CWE-174)',
    url: '/api/%2570rivate/report',
    expect: 'protected',
  },
  {
    name: 'four-times-encoded letter',
    source: 'over-encoding',
    url: '/api/%25252570rivate',
    expect: 'rejected',
  },
  {
    name: 'repeated slash',
    source: 'Envoy merge_slashes / Pomerium path normalisation',
    url: '/api//private/report',
    expect: 'protected',
  },
  {
    name: 'encoded slash',
    source: '@fastify/static CVE-2026-6414 class (%2F)',
    url: '/api%2Fprivate/report',
    expect: 'not-routed',
  },
  {
    name: 'encoded slash inside the prefix',
    source: '@fastify/static CVE-2026-6414 class (%2F)',
    url: '/api/private%2Freport',
    expect: 'protected',
  },
  {
    name: 'encoded backslash',
    source: 'IIS/Windows separator',
    url: '/api%5cprivate/report',
    expect: 'not-routed',
  },
  {
    name: 'backslash after the prefix',
    source: 'IIS/Windows separator',
    url: '/api/x%5c..%5cprivate',
    expect: 'rejected',
  },
  {
    name: 'matrix parameter on the protected segment',
    source: 'servlet ;jsessionid',
    url: '/api/private;jsessionid=1/report',
    expect: 'protected',
  },
  {
    name: 'matrix parameter on the prefix segment',
    source: 'servlet ;jsessionid',
    url: '/api;x=1/private/report',
    expect: 'not-routed',
  },
  {
    name: 'trailing dot',
    source: 'Windows/IIS trailing-dot stripping',
    url: '/api/private./report',
    expect: 'protected',
  },
  {
    name: 'trailing encoded space',
    source: 'Windows/IIS trailing-space stripping',
    url: '/api/private%20/report',
    expect: 'protected',
  },
  {
    name: 'fullwidth solidus',
    source: 'Unicode NFKC normalisation (CWE-176)',
    url: '/api/private%EF%BC%8Freport',
    expect: 'protected',
  },
  {
    name: 'fullwidth letters',
    source: 'Unicode NFKC normalisation (CWE-176)',
    url: '/api/%EF%BD%90rivate/report',
    expect: 'protected',
  },
  {
    name: 'encoded NUL',
    source: 'NUL truncation (CWE-158)',
    url: '/api/private%00/report',
    expect: 'rejected',
  },
  {
    name: 'encoded control character',
    source: 'Authelia CVE-2021-32637 (control character in URL)',
    url: '/api/public%01',
    expect: 'rejected',
  },
  {
    name: 'overlong UTF-8 dot',
    source: 'overlong encoding (CWE-172)',
    url: '/api/public/%c0%ae%c0%ae/private',
    expect: 'rejected',
  },
  {
    name: 'malformed escape',
    source: 'Authelia CVE-2021-32637 (unparseable URL must deny)',
    url: '/api/private%zz',
    expect: 'rejected',
  },
  {
    name: 'slash-boundary: sibling is public',
    source: 'prefix over-match',
    url: '/api/privateer',
    expect: 'public',
  },
]

const STATUS: Record<Expect, number> = { protected: 401, rejected: 400, 'not-routed': 404, public: 200 }

t.test('every spelling gets the protected policy or a 400', async (t) => {
  const { app, api } = await buildHarness(t, { db, env: ENV })
  // Sent on the wire exactly as written: inject() parses URLs the WHATWG way,
  // which would resolve %2e%2e before the gateway ever saw it.
  const port = await listen(app)
  for (const row of rows) {
    const label = `${row.name} [${row.source}] ${row.url}`
    await t.test(label, async (t) => {
      const before = api.received.length
      const res = await rawRequest(
        port,
        `GET ${row.url} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
      )
      t.equal(res.status, STATUS[row.expect], `${label} → ${STATUS[row.expect]}`)
      const forwarded = api.received.length - before
      t.equal(forwarded, row.expect === 'public' ? 1 : 0, `${label}: forwarded ${forwarded}`)
    })
  }
})

t.test('raw wire: spellings clients would normalise away', async (t) => {
  const { app, api, docs } = await buildHarness(t, { db, env: ENV })
  const port = await listen(app)
  const wireRows: { name: string; source: string; target: string; upgrade?: boolean }[] = [
    {
      name: 'raw dot-dot from docs into the API',
      source: 'fastify-http-proxy CVE-2021-21322',
      target: '/docs/../api/private',
    },
    {
      name: 'raw dot-dot inside the API',
      source: 'path traversal (CWE-22)',
      target: '/api/public/../private/x',
    },
    { name: 'raw single dot', source: 'dot segment', target: '/api/./private/x' },
    { name: 'raw backslash', source: 'IIS/Windows separator', target: '/api\\private\\x' },
    { name: 'raw fragment', source: 'oauth2-proxy GHSA-pxq7-h93f-9jrg (#)', target: '/api/private#/public' },
    {
      name: 'websocket upgrade escaping its prefix',
      source: '@fastify/http-proxy GHSA-7hrw-592w-9wh2 / CVE-2026-15631',
      target: '/docs/../api/private/socket',
      upgrade: true,
    },
    {
      name: 'websocket upgrade with encoded dot-dot',
      source: '@fastify/http-proxy GHSA-7hrw-592w-9wh2 / CVE-2026-15631',
      target: '/api/public/%2e%2e/private/socket',
      upgrade: true,
    },
  ]
  for (const row of wireRows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const before = api.received.length + docs.received.length
      const upgrade = row.upgrade
        ? 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
        : 'Connection: close\r\n'
      const res = await rawRequest(
        port,
        `GET ${row.target} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n${upgrade}\r\n`,
      )
      t.ok(
        res.status === 400 || res.status === 401 || res.status === 404,
        `${row.name} [${row.source}] → ${res.status}`,
      )
      t.equal(api.received.length + docs.received.length, before, `${row.name}: nothing reached an upstream`)
    })
  }
})
