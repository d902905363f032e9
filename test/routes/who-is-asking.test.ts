// Without a session on a protected page path, a browser navigation is sent to
// sign in and everything else gets 401 JSON it can act on: a page script's
// fetch() must not follow a 303 into an HTML sign-in page with status 200.
// Each row is a real client's header set (test/fixtures/browser-requests.ts).
import t from 'tap'
import { CLIENT_REQUESTS } from '../fixtures/browser-requests.ts'
import { buildHarness, fileDatabase } from '../helper.ts'

const db = await fileDatabase(t)

t.test('protected docs path, no session', async (t) => {
  const { app, docs } = await buildHarness(t, { db, env: { AUTH_REQUIRED_PATHS: '/docs/private' } })
  for (const row of CLIENT_REQUESTS) {
    const res = await app.inject({ method: row.method, url: '/docs/private/guide?x=1', headers: row.headers })
    if (row.navigation) {
      t.equal(res.statusCode, 303, `${row.name}: 303`)
      t.equal(
        res.headers.location,
        '/auth/sign-in?returnTo=%2Fdocs%2Fprivate%2Fguide%3Fx%3D1',
        `${row.name}: to sign in`,
      )
    } else {
      t.equal(res.statusCode, 401, `${row.name}: 401`)
      if (row.method !== 'HEAD') t.equal(res.json().code, 'GW_UNAUTHORIZED', `${row.name}: JSON`)
      t.match(res.headers['content-type'], /application\/json/, `${row.name}: JSON, not a page`)
    }
  }
  t.equal(docs.received.length, 0, 'nothing reached the docs site')
})

t.test('the API is never a page: 401 JSON even to a navigation', async (t) => {
  const { app } = await buildHarness(t, { db, env: { AUTH_REQUIRED_PATHS: '/api/private' } })
  const navigation = CLIENT_REQUESTS.find((row) => row.navigation) ?? CLIENT_REQUESTS[0]
  const res = await app.inject({ url: '/api/private/me', headers: navigation?.headers })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'GW_UNAUTHORIZED')
})

t.test('error pages on the docs site: HTML for a person, JSON for a program', async (t) => {
  // Nothing listens on the docs upstream: every request below gets a 502.
  const { app } = await buildHarness(t, { db, env: { DOCS_UPSTREAM_URL: 'http://127.0.0.1:9' } })
  const rows: [string, Record<string, string>, 'html' | 'json'][] = [
    ['a browser navigation', { accept: 'text/html,*/*;q=0.8', 'sec-fetch-mode': 'navigate' }, 'html'],
    ['a request with no Accept at all', {}, 'html'],
    ['a page script’s fetch()', { accept: '*/*', 'sec-fetch-mode': 'cors' }, 'json'],
    ['curl -H "Accept: application/json"', { accept: 'application/json' }, 'json'],
    [
      'an XHR without Fetch Metadata',
      { accept: 'text/html, */*', 'x-requested-with': 'XMLHttpRequest' },
      'json',
    ],
  ]
  for (const [name, headers, kind] of rows) {
    const res = await app.inject({ url: '/docs/page', headers })
    t.equal(res.statusCode, 502, `${name}: 502`)
    t.match(
      res.headers['content-type'],
      kind === 'html' ? /text\/html/ : /application\/json/,
      `${name}: ${kind}`,
    )
  }
})
