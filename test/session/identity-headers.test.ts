import { validateHeaderValue } from 'node:http'
import t from 'tap'
import { canonicalHeaderName, identityHeaders, isIdentityHeader } from '../../src/session/identity-headers.ts'

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

t.test('identityHeaders percent-encodes every value', async (t) => {
  const rows: {
    name: string
    identity: { userId: string; email: string; name: string }
    expected: Record<string, string>
  }[] = [
    {
      name: 'plain ASCII passes unchanged',
      identity: { userId: 'u1AbC', email: 'ann@example.com', name: 'Ann' },
      expected: { 'x-user-id': 'u1AbC', 'x-user-email': 'ann%40example.com', 'x-user-name': 'Ann' },
    },
    {
      name: 'UTF-8 name is encoded, not mangled to latin1',
      identity: { userId: 'u2', email: 'zoë@example.com', name: 'Zoë Ünïcode 山田' },
      expected: {
        'x-user-id': 'u2',
        'x-user-email': 'zo%C3%AB%40example.com',
        'x-user-name': 'Zo%C3%AB%20%C3%9Cn%C3%AFcode%20%E5%B1%B1%E7%94%B0',
      },
    },
    {
      name: 'CR/LF header injection in the name',
      identity: { userId: 'u3', email: 'eve@example.com', name: 'Eve\r\nX-User-Id: admin' },
      expected: {
        'x-user-id': 'u3',
        'x-user-email': 'eve%40example.com',
        'x-user-name': 'Eve%0D%0AX-User-Id%3A%20admin',
      },
    },
    {
      name: 'bare LF and NUL',
      identity: { userId: 'u4\n', email: 'a@b.c', name: 'x\u0000y' },
      expected: { 'x-user-id': 'u4%0A', 'x-user-email': 'a%40b.c', 'x-user-name': 'x%00y' },
    },
    {
      name: "';' and ',' that list-parsing backends would split on",
      identity: { userId: 'u5', email: 'a+tag@b.c', name: 'Doe, John; admin=true' },
      expected: {
        'x-user-id': 'u5',
        'x-user-email': 'a%2Btag%40b.c',
        'x-user-name': 'Doe%2C%20John%3B%20admin%3Dtrue',
      },
    },
    {
      name: 'a literal percent sign is itself encoded (no ambiguity on decode)',
      identity: { userId: 'u6', email: 'p@b.c', name: '100%25' },
      expected: { 'x-user-id': 'u6', 'x-user-email': 'p%40b.c', 'x-user-name': '100%2525' },
    },
  ]
  for (const row of rows) {
    const headers = identityHeaders(row.identity)
    t.strictSame(headers, row.expected, row.name)
    for (const [name, value] of Object.entries(headers)) {
      t.notMatch(value, /[\r\n\0]/, `${row.name}: ${name} holds no CR, LF or NUL`)
      t.doesNotThrow(() => validateHeaderValue(name, value), `${row.name}: ${name} is a valid header value`)
    }
    t.strictSame(
      {
        userId: decodeURIComponent(headers['x-user-id'] ?? ''),
        email: decodeURIComponent(headers['x-user-email'] ?? ''),
        name: decodeURIComponent(headers['x-user-name'] ?? ''),
      },
      row.identity,
      `${row.name}: decoding gives back the identity exactly`,
    )
  }
})
