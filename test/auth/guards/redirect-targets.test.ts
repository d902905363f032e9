import t, { type Test } from 'tap'
import { AUTH_BASE_PATH } from '../../../src/auth/better-auth.ts'
import { type AuthCall, readAuthCall } from '../../../src/auth/guards/call.ts'
import { REDIRECT_FIELDS, redirectTargetsGuard } from '../../../src/auth/guards/redirect-targets.ts'

const ENDPOINT = `http://gw.test${AUTH_BASE_PATH}/sign-in/email`
const UNSAFE: [string, string][] = [
  ['https://evil.example/x', 'absolute URL'],
  ['//evil.example', 'protocol-relative'],
  ['/\\evil.example', 'slash-backslash'],
  ['javascript:alert(1)', 'javascript: URL'],
  ['/.//evil.example', 'dot segment before a double slash'],
  ['', 'empty string'],
]

/** Runs the guard over `request`; resolves with the call `next` got and the guard's answer. */
async function guard(t: Test, request: Request) {
  const call = await readAuthCall(request)
  const answer = new Response('from next')
  let seen: AuthCall | undefined
  const response = await redirectTargetsGuard(call, async (c) => {
    seen = c
    return answer
  })
  t.equal(response, answer, "next's answer comes back untouched")
  return { call, seen: seen as AuthCall }
}

const post = (body: string, contentType = 'application/json') =>
  new Request(ENDPOINT, { method: 'POST', headers: { 'content-type': contentType }, body })

t.test('query: each redirect field with an unsafe value becomes "/"', async (t) => {
  for (const field of REDIRECT_FIELDS) {
    for (const [value, name] of UNSAFE) {
      const url = new URL(ENDPOINT)
      url.searchParams.set('keep', 'me')
      url.searchParams.set(field, value)
      const { call, seen } = await guard(t, new Request(url))
      const label = `${field}=${JSON.stringify(value)} (${name})`
      t.equal(seen.url.searchParams.get(field), '/', `${label}: rewritten in call.url`)
      t.equal(new URL(seen.request.url).searchParams.get(field), '/', `${label}: rewritten in the request`)
      t.equal(seen.url.searchParams.get('keep'), 'me', `${label}: other parameters kept`)
      t.equal(call.url.searchParams.get(field), value, `${label}: the incoming call is not mutated`)
    }
  }
})

t.test('body: each redirect field with an unsafe value becomes "/"', async (t) => {
  for (const field of REDIRECT_FIELDS) {
    for (const [value, name] of UNSAFE) {
      const { call, seen } = await guard(t, post(JSON.stringify({ email: 'a@example.com', [field]: value })))
      const label = `${field}: ${JSON.stringify(value)} (${name})`
      const expected = { email: 'a@example.com', [field]: '/' }
      t.same(seen.json, expected, `${label}: rewritten in call.json`)
      t.same(JSON.parse(await seen.request.text()), expected, `${label}: rewritten in the body sent on`)
      t.equal(seen.body, JSON.stringify(expected), `${label}: and in call.body`)
      t.equal(call.json?.[field], value, `${label}: the incoming call is not mutated`)
    }
  }
})

t.test('body: a redirect field that is not a string becomes "/"', async (t) => {
  const values: [unknown, string][] = [
    [null, 'null'],
    [42, 'number'],
    [true, 'boolean'],
    [['/x'], 'array'],
    [{ href: '/x' }, 'object'],
  ]
  for (const field of REDIRECT_FIELDS) {
    for (const [value, name] of values) {
      const { seen } = await guard(t, post(JSON.stringify({ [field]: value })))
      t.same(seen.json, { [field]: '/' }, `${field} as ${name}`)
    }
  }
})

t.test('bodies with odd Content-Types are rewritten all the same', async (t) => {
  for (const contentType of ['Application/JSON', 'APPLICATION/JSON; charset=UTF-8', 'text/plain', '']) {
    const { seen } = await guard(t, post(JSON.stringify({ callbackURL: '//evil.example' }), contentType))
    t.same(seen.json, { callbackURL: '/' }, `Content-Type ${JSON.stringify(contentType)}`)
    t.same(JSON.parse(await seen.request.text()), { callbackURL: '/' })
  }
})

t.test('query and body are rewritten together', async (t) => {
  const { seen } = await guard(
    t,
    new Request(`${ENDPOINT}?redirectTo=//evil.example`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '43' },
      body: JSON.stringify({ errorCallbackURL: 'https://evil.example' }),
    }),
  )
  t.equal(seen.url.searchParams.get('redirectTo'), '/')
  t.equal(new URL(seen.request.url).searchParams.get('redirectTo'), '/')
  t.same(JSON.parse(await seen.request.text()), { errorCallbackURL: '/' })
  t.equal(seen.request.method, 'POST')
  t.equal(seen.request.headers.get('content-type'), 'application/json', 'headers are kept')
  t.equal(seen.request.headers.get('content-length'), null, 'no stale Content-Length')
})

t.test('a changed query keeps an unchanged body', async (t) => {
  const body = 'email=a%40example.com'
  const { seen } = await guard(t, post(body, 'application/x-www-form-urlencoded'))
  t.equal(await seen.request.text(), body, 'form body, no redirect field: passes as is')
  const withQuery = await guard(
    t,
    new Request(`${ENDPOINT}?callbackURL=//evil.example`, { method: 'POST', body }),
  )
  t.equal(withQuery.seen.url.searchParams.get('callbackURL'), '/')
  t.equal(await withQuery.seen.request.text(), body, 'the body is sent on unchanged')
})

t.test('a call with nothing to rewrite is passed on as the very same object', async (t) => {
  const rows: [string, Request][] = [
    ['GET without redirect fields', new Request(`${ENDPOINT}?x=1`)],
    ['GET with safe redirect fields', new Request(`${ENDPOINT}?callbackURL=%2Fdocs%3Fx%3D1&redirectTo=/a`)],
    ['a redirect-looking value in another parameter', new Request(`${ENDPOINT}?returnTo=//evil.example`)],
    [
      'JSON with safe redirect fields',
      post(JSON.stringify({ callbackURL: '/docs/next?x=1', redirectTo: '/' })),
    ],
    ['JSON without redirect fields', post(JSON.stringify({ email: 'a@example.com' }))],
    ['a JSON array', post(JSON.stringify([{ callbackURL: '//evil.example' }]))],
    ['a non-JSON body', post('callbackURL=//evil.example', 'application/x-www-form-urlencoded')],
  ]
  for (const [name, request] of rows) {
    const { call, seen } = await guard(t, request)
    t.equal(seen, call, `${name}: the same call`)
    t.equal(seen.request, call.request, `${name}: the same request`)
  }
})
