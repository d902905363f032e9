import t from 'tap'
import { createLocationRewriter } from '../../src/proxy/upstream-location.ts'

const PUBLIC = 'https://gw.example.com'
const rewrite = createLocationRewriter('http://127.0.0.1:8000', PUBLIC)

t.test('Locations on the upstream’s own host and port move to PUBLIC_URL', async (t) => {
  const rows: [string, string, string][] = [
    [
      'Starlette redirect_slashes (built from the Host it received)',
      'http://127.0.0.1:8000/api/items/',
      `${PUBLIC}/api/items/`,
    ],
    ['query and fragment kept', 'http://127.0.0.1:8000/api/a?x=1&y=%2F#top', `${PUBLIC}/api/a?x=1&y=%2F#top`],
    ['uvicorn --proxy-headers: public scheme, own host', 'https://127.0.0.1:8000/api/x', `${PUBLIC}/api/x`],
    ['protocol-relative', '//127.0.0.1:8000/api/x', `${PUBLIC}/api/x`],
    ['upper-case scheme', 'HTTP://127.0.0.1:8000/api/x', `${PUBLIC}/api/x`],
    ['origin only', 'http://127.0.0.1:8000', PUBLIC],
    ['origin and query, no path', 'http://127.0.0.1:8000?next=1', `${PUBLIC}/?next=1`],
    [
      'path bytes kept as sent (no re-encoding, no dot-segment removal)',
      'http://127.0.0.1:8000/a%2Fb/../c',
      `${PUBLIC}/a%2Fb/../c`,
    ],
    [
      'credentials in the URL are dropped with the authority',
      'http://user:pw@127.0.0.1:8000/x',
      `${PUBLIC}/x`,
    ],
  ]
  for (const [name, input, expected] of rows) t.equal(rewrite(input), expected, name)
})

t.test('everything else passes untouched', async (t) => {
  const rows: [string, string][] = [
    ['a relative path', '/api/items/'],
    ['a relative reference', 'items/'],
    ['a query-only reference', '?page=2'],
    ['another site (an OAuth provider)', 'https://accounts.example.com/o/oauth2/auth?x=1'],
    ['the same host on another port (another service)', 'http://127.0.0.1:8001/x'],
    ['the same host on the default port', 'http://127.0.0.1/x'],
    ['another name for the same address (only the configured one is known)', 'http://localhost:8000/x'],
    ['userinfo that names the upstream, host elsewhere', 'http://127.0.0.1:8000@evil.example/x'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a mailto: URL', 'mailto:a@example.com'],
    ['a port out of range', 'http://127.0.0.1:99999/x'],
    ['an empty value', ''],
  ]
  for (const [name, input] of rows) t.equal(rewrite(input), input, name)
})

t.test('IPv6 and default-port upstreams', async (t) => {
  const v6 = createLocationRewriter('http://[::1]:8000', PUBLIC)
  t.equal(v6('http://[::1]:8000/x'), `${PUBLIC}/x`)
  t.equal(v6('http://[::2]:8000/x'), 'http://[::2]:8000/x')
  const defaultPort = createLocationRewriter('https://api.internal', 'http://localhost:3001')
  t.equal(defaultPort('https://api.internal/x'), 'http://localhost:3001/x', 'https default port 443')
  t.equal(defaultPort('https://api.internal:443/x'), 'http://localhost:3001/x', 'explicit :443 is the same')
  t.equal(defaultPort('http://api.internal/x'), 'http://api.internal/x', 'port 80 is another address')
})
