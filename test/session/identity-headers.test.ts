import { spawnSync } from 'node:child_process'
import { validateHeaderValue } from 'node:http'
import t from 'tap'
import {
  canonicalHeaderName,
  encodeHeaderValue,
  identityHeaders,
  isIdentityHeader,
} from '../../src/session/identity-headers.ts'
import { PYTHON } from '../fixtures/uvicorn.ts'

t.test('isIdentityHeader: every spelling a backend might fold into an identity header', async (t) => {
  const owned: [string, string][] = [
    ['X-User-Id', 'the header the gateway injects'],
    ['x-user-id', 'lower case'],
    ['X_USER_ID', 'WSGI/CGI underscore spelling (HTTP_X_USER_ID)'],
    ['x.user.id', 'dot spelling some frameworks accept'],
    ['X-User-Email', 'injected email'],
    ['x-user-anything', 'any future x-user-* header'],
    ['x-user', 'the bare x-user name'],
    ['X-Auth-Request-User', 'oauth2-proxy identity header'],
    ['x-auth-request-email', 'oauth2-proxy identity header'],
    ['X-Forwarded-User', 'oauth2-proxy/nginx identity header'],
    ['x_forwarded_email', 'underscore spelling of X-Forwarded-Email'],
    ['X-Forwarded-Groups', 'group claims'],
    ['X-Forwarded-Preferred-Username', 'oauth2-proxy preferred username'],
    ['X-Forwarded-Access-Token', 'oauth2-proxy pass-access-token'],
    ['Remote-User', 'Authelia/Caddy identity header'],
    ['REMOTE_USER', 'CGI REMOTE_USER spelling'],
    ['remote.email', 'dot spelling of Remote-Email'],
    ['Remote-Name', 'Authelia display name'],
    ['Remote-Groups', 'Authelia groups'],
    ['X-Remote-User', 'Apache-style identity header'],
    ['x_remote_email', 'underscore X-Remote-Email'],
  ]
  for (const [name, why] of owned) t.equal(isIdentityHeader(name), true, `${name} is owned (${why})`)

  const foreign: [string, string][] = [
    ['x-username', "canonical 'x-username' is neither 'x-user' nor 'x-user-*'"],
    ['x-users', 'shares the letters, not the namespace'],
    ['user-agent', 'ordinary header'],
    ['authorization', 'the client’s own credentials pass through'],
    ['x-forwarded-for', 'handled by upstream-headers.ts, not here'],
    ['x-request-id', 'handled by upstream-headers.ts, not here'],
    ['x-userid', 'no separator after x-user'],
    ['remote-addr', 'not an identity header'],
    ['cookie', 'handled by auth-cookies.ts'],
  ]
  for (const [name, why] of foreign) t.equal(isIdentityHeader(name), false, `${name} is not owned (${why})`)
})

t.test('canonicalHeaderName folds case, "_" and "." to one spelling', async (t) => {
  t.equal(canonicalHeaderName('X_User.Id'), 'x-user-id')
  t.equal(canonicalHeaderName('REMOTE_USER'), 'remote-user')
  t.equal(canonicalHeaderName('content-type'), 'content-type')
})

// Each row: the value, what the header carries, and why. Printable ASCII
// arrives as is; everything else is percent-encoded UTF-8.
const ENCODING_ROWS: { name: string; value: string; header: string }[] = [
  { name: 'an email arrives readable', value: 'u@example.com', header: 'u@example.com' },
  { name: 'plus addressing', value: 'a+tag@b.c', header: 'a+tag@b.c' },
  { name: 'an id', value: 'u1AbC_-9', header: 'u1AbC_-9' },
  { name: 'inner spaces kept', value: 'Ann Example', header: 'Ann Example' },
  {
    name: "list separators ',' and ';' kept",
    value: 'Doe, John; admin=true',
    header: 'Doe, John; admin=true',
  },
  { name: 'quotes and backslash kept', value: `O'Brien "Bob" \\`, header: `O'Brien "Bob" \\` },
  {
    name: 'every printable ASCII symbol but %',
    value: '!#$&()*+-./:<=>?@[]^_`{|}~',
    header: '!#$&()*+-./:<=>?@[]^_`{|}~',
  },
  { name: '% itself, so decoding is unambiguous', value: '100%', header: '100%25' },
  { name: 'an already encoded-looking value', value: 'a%40b', header: 'a%2540b' },
  { name: 'leading space (HTTP would strip it)', value: ' Ann', header: '%20Ann' },
  { name: 'trailing space', value: 'Ann ', header: 'Ann%20' },
  { name: 'a lone space', value: ' ', header: '%20' },
  { name: 'tab inside', value: 'a\tb', header: 'a%09b' },
  { name: 'CR/LF header injection', value: 'Eve\r\nX-User-Id: admin', header: 'Eve%0D%0AX-User-Id: admin' },
  { name: 'NUL', value: 'x\u0000y', header: 'x%00y' },
  { name: 'DEL', value: 'x\u007fy', header: 'x%7Fy' },
  { name: 'empty', value: '', header: '' },
  { name: 'Latin (French)', value: 'Zoë Léa', header: 'Zo%C3%AB L%C3%A9a' },
  { name: 'Latin (German)', value: 'Jürgen Groß', header: 'J%C3%BCrgen Gro%C3%9F' },
  { name: 'Latin (Polish)', value: 'Łukasz Żółw', header: '%C5%81ukasz %C5%BB%C3%B3%C5%82w' },
  { name: 'Greek', value: 'Αλέξης', header: '%CE%91%CE%BB%CE%AD%CE%BE%CE%B7%CF%82' },
  { name: 'Cyrillic', value: 'Иван', header: '%D0%98%D0%B2%D0%B0%D0%BD' },
  { name: 'Hebrew (right to left)', value: 'דוד', header: '%D7%93%D7%95%D7%93' },
  { name: 'Arabic', value: 'سارة', header: '%D8%B3%D8%A7%D8%B1%D8%A9' },
  { name: 'Devanagari', value: 'प्रिया', header: '%E0%A4%AA%E0%A5%8D%E0%A4%B0%E0%A4%BF%E0%A4%AF%E0%A4%BE' },
  { name: 'Thai', value: 'สมชาย', header: '%E0%B8%AA%E0%B8%A1%E0%B8%8A%E0%B8%B2%E0%B8%A2' },
  { name: 'Chinese', value: '王小明', header: '%E7%8E%8B%E5%B0%8F%E6%98%8E' },
  { name: 'Japanese', value: '山田 花子', header: '%E5%B1%B1%E7%94%B0 %E8%8A%B1%E5%AD%90' },
  { name: 'Korean', value: '김민준', header: '%EA%B9%80%EB%AF%BC%EC%A4%80' },
  { name: 'emoji (astral plane, a surrogate pair in JS)', value: 'Ann 🚀', header: 'Ann %F0%9F%9A%80' },
  {
    name: 'internationalised email (EAI)',
    value: '用户@例子.广告',
    header: '%E7%94%A8%E6%88%B7@%E4%BE%8B%E5%AD%90.%E5%B9%BF%E5%91%8A',
  },
  { name: 'combining accent (NFD) kept as sent', value: 'Zoe\u0308', header: 'Zoe%CC%88' },
  { name: 'zero-width joiner', value: 'a\u200db', header: 'a%E2%80%8Db' },
  { name: 'non-breaking space at the end', value: 'Ann\u00a0', header: 'Ann%C2%A0' },
  { name: 'Latin-1 byte that latin1 encoding would pass raw', value: '\u00ff', header: '%C3%BF' },
]

t.test('encodeHeaderValue: printable ASCII as is, everything else percent-encoded UTF-8', async (t) => {
  for (const row of ENCODING_ROWS) {
    const header = encodeHeaderValue(row.value)
    t.equal(header, row.header, row.name)
    t.doesNotThrow(() => validateHeaderValue('x-user-name', header), `${row.name}: a valid header value`)
    t.match(header, /^[\x20-\x7e]*$/, `${row.name}: printable ASCII only`)
    t.notMatch(header, /^ | $/, `${row.name}: no space at either end`)
    t.equal(decodeURIComponent(header), row.value, `${row.name}: decodeURIComponent restores it`)
  }
})

t.test("Python's urllib.parse.unquote restores every value (what a FastAPI backend does)", async (t) => {
  const probe = spawnSync(
    PYTHON,
    [
      '-c',
      'import json,sys,urllib.parse; print(json.dumps([urllib.parse.unquote(h) for h in json.load(sys.stdin)]))',
    ],
    { input: JSON.stringify(ENCODING_ROWS.map((row) => encodeHeaderValue(row.value))), encoding: 'utf8' },
  )
  t.equal(probe.status, 0, `${PYTHON} ran: ${probe.stderr}`)
  const decoded = JSON.parse(probe.stdout) as string[]
  for (const [i, row] of ENCODING_ROWS.entries()) t.equal(decoded[i], row.value, row.name)
})

t.test('a lone surrogate (not encodable as UTF-8) becomes U+FFFD, never an exception', async (t) => {
  t.equal(encodeHeaderValue('a\ud800b'), 'a%EF%BF%BDb')
  t.equal(encodeHeaderValue('\udfff'), '%EF%BF%BD')
})

t.test('identityHeaders encodes the three values', async (t) => {
  t.strictSame(identityHeaders({ userId: 'u1', email: 'zoë@example.com', name: ' Zoë ' }), {
    'x-user-id': 'u1',
    'x-user-email': 'zo%C3%AB@example.com',
    'x-user-name': '%20Zo%C3%AB%20',
  })
})
