import t from 'tap'
import { AUTH_BASE_PATH } from '../../../src/auth/better-auth.ts'
import { readAuthCall } from '../../../src/auth/guards/call.ts'
import { TOKEN_BEARING_PATHS, tokenRemovalGuard } from '../../../src/auth/guards/token-removal.ts'

const SIGN_IN = `${AUTH_BASE_PATH}/sign-in/email`

/** The guard's answer when Better Auth answers `response` to a call to `path`. */
async function guarded(path: string, response: Response): Promise<Response> {
  return tokenRemovalGuard(await readAuthCall(new Request(`http://gw.test${path}`)), async () => response)
}

function json(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body)
  const headers = new Headers(init.headers)
  headers.set('content-type', 'application/json')
  headers.set('content-length', String(text.length))
  return new Response(text, { ...init, headers })
}

t.test('the token-bearing endpoints, under the one base path', async (t) => {
  t.same([...TOKEN_BEARING_PATHS].sort(), [
    '/api/auth/get-session',
    '/api/auth/sign-in/email',
    '/api/auth/sign-up/email',
  ])
})

t.test('token and session.token are removed from each token-bearing endpoint', async (t) => {
  const rows: { name: string; body: unknown; expected: unknown }[] = [
    {
      name: 'sign-in shape (top-level token)',
      body: { redirect: false, token: 'raw-token', url: '/', user: { id: 'u1' } },
      expected: { redirect: false, url: '/', user: { id: 'u1' } },
    },
    {
      name: 'get-session shape (session.token)',
      body: { session: { id: 's1', token: 'raw-token', userId: 'u1' }, user: { id: 'u1' } },
      expected: { session: { id: 's1', userId: 'u1' }, user: { id: 'u1' } },
    },
    {
      name: 'both at once',
      body: { token: 'a', session: { token: 'b' } },
      expected: { session: {} },
    },
    { name: 'session: null', body: { token: 'a', session: null }, expected: { session: null } },
    { name: 'anonymous get-session (JSON null)', body: null, expected: null },
    { name: 'no token at all', body: { user: { id: 'u1' } }, expected: { user: { id: 'u1' } } },
  ]
  for (const path of TOKEN_BEARING_PATHS) {
    for (const row of rows) {
      const res = await guarded(
        path,
        json(row.body, { status: 200, headers: { 'set-cookie': 'better-auth.session_token=x; HttpOnly' } }),
      )
      const label = `${path}, ${row.name}`
      t.equal(res.status, 200, `${label}: status kept`)
      t.same(await res.json(), row.expected, `${label}: token removed, the rest kept`)
      t.equal(res.headers.get('set-cookie'), 'better-auth.session_token=x; HttpOnly', `${label}: cookie kept`)
      t.equal(res.headers.get('content-type'), 'application/json', `${label}: content-type kept`)
      t.equal(res.headers.get('content-length'), null, `${label}: the stale Content-Length is dropped`)
    }
  }
})

t.test('a 2xx other than 200 is cleaned too', async (t) => {
  const res = await guarded(SIGN_IN, json({ token: 'raw', user: {} }, { status: 201 }))
  t.equal(res.status, 201)
  t.same(await res.json(), { user: {} })
})

t.test('a body that is not JSON passes as it is', async (t) => {
  const res = await guarded(
    SIGN_IN,
    new Response('not json, token=raw', {
      status: 200,
      headers: { 'content-type': 'text/plain', 'x-a': '1' },
    }),
  )
  t.equal(res.status, 200)
  t.equal(await res.text(), 'not json, token=raw')
  t.equal(res.headers.get('content-type'), 'text/plain')
  t.equal(res.headers.get('x-a'), '1')
})

t.test('other endpoints and answers that are not ok are returned as the very same object', async (t) => {
  const rows: { name: string; path: string; status: number }[] = [
    {
      name: 'list-sessions (revoke-session needs its tokens)',
      path: `${AUTH_BASE_PATH}/list-sessions`,
      status: 200,
    },
    { name: 'sign-out', path: `${AUTH_BASE_PATH}/sign-out`, status: 200 },
    { name: 'a trailing slash is another path', path: `${SIGN_IN}/`, status: 200 },
    { name: 'outside the base path', path: '/get-session', status: 200 },
    { name: 'sign-in 401', path: SIGN_IN, status: 401 },
    { name: 'sign-in 302', path: SIGN_IN, status: 302 },
    { name: 'get-session 429', path: `${AUTH_BASE_PATH}/get-session`, status: 429 },
    { name: 'sign-up 500', path: `${AUTH_BASE_PATH}/sign-up/email`, status: 500 },
  ]
  for (const row of rows) {
    const answer = json({ token: 'raw' }, { status: row.status })
    t.equal(await guarded(row.path, answer), answer, row.name)
  }
})
