import t from 'tap'
import { AUTH_BASE_PATH, CLIENT_IP_HEADER } from '../../../src/auth/better-auth.ts'
import { readAuthCall, rebuildRequest } from '../../../src/auth/guards/call.ts'

const SIGN_IN = `http://gw.test${AUTH_BASE_PATH}/sign-in/email`

t.test('a request without a body is kept as the very same object', async (t) => {
  const request = new Request(`http://gw.test${AUTH_BASE_PATH}/get-session?x=1`, {
    headers: { [CLIENT_IP_HEADER]: '192.0.2.1' },
  })
  const gone = new AbortController().signal
  const call = await readAuthCall(request, gone)
  t.equal(call.request, request, 'not rebuilt')
  t.equal(call.url.href, request.url)
  t.equal(call.body, null)
  t.equal(call.json, null)
  t.equal(call.clientIp, '192.0.2.1', 'from CLIENT_IP_HEADER')
  t.equal(call.clientGone, gone)
})

t.test("the client address is '' when the gateway set none", async (t) => {
  const call = await readAuthCall(new Request(SIGN_IN, { method: 'POST', body: '{}' }))
  t.equal(call.clientIp, '')
  t.equal(call.clientGone, undefined)
})

t.test('any body is tried as JSON, whatever its Content-Type says', async (t) => {
  const body = JSON.stringify({ email: 'a@example.com', password: 'pw' })
  const contentTypes: [string | null, string][] = [
    ['application/json', 'the usual spelling'],
    ['Application/JSON', 'capitals (RFC 9110: media types are case-insensitive)'],
    ['APPLICATION/JSON; charset=UTF-8', 'capitals with a charset'],
    ['application/json; charset=utf-8', 'with a charset'],
    ['text/plain', 'a mislabelled body'],
    ['application/x-www-form-urlencoded', 'a form label on a JSON body'],
    [null, 'no Content-Type at all'],
  ]
  for (const [contentType, name] of contentTypes) {
    const headers = new Headers()
    if (contentType !== null) headers.set('content-type', contentType)
    const call = await readAuthCall(new Request(SIGN_IN, { method: 'POST', headers, body }))
    t.same(call.json, { email: 'a@example.com', password: 'pw' }, `${name}: parsed`)
    t.equal(call.body, body, `${name}: the text kept`)
  }
})

t.test('a body that is not a JSON object has no json', async (t) => {
  const bodies: [string, string][] = [
    ['email=a%40example.com&password=pw', 'form-encoded'],
    ['{"email":', 'malformed JSON'],
    ['', 'empty'],
    ['[{"email":"a@example.com"}]', 'a JSON array'],
    ['null', 'JSON null'],
    ['"a@example.com"', 'a JSON string'],
    ['42', 'a JSON number'],
  ]
  for (const [body, name] of bodies) {
    const call = await readAuthCall(new Request(SIGN_IN, { method: 'POST', body }))
    t.equal(call.json, null, `${name}: json is null`)
    t.equal(call.body, body, `${name}: the text is kept for Better Auth`)
    t.equal(await call.request.text(), body, `${name}: Better Auth still gets the body`)
  }
})

t.test('a request with a body is rebuilt around the text that was read', async (t) => {
  const body = '{"email":"a@example.com"}'
  const request = new Request(`${SIGN_IN}?q=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': '999', origin: 'http://gw.test' },
    body,
  })
  const call = await readAuthCall(request)
  t.not(call.request, request, 'a new request (the original stream is spent)')
  t.equal(call.request.method, 'POST')
  t.equal(call.request.url, `${SIGN_IN}?q=1`)
  t.equal(call.url.href, `${SIGN_IN}?q=1`)
  t.equal(call.request.headers.get('origin'), 'http://gw.test', 'headers are kept')
  t.equal(call.request.headers.get('content-length'), null, 'the stale Content-Length is dropped')
  t.equal(await call.request.text(), body)
})

t.test('rebuildRequest: new URL and body, same method and headers', async (t) => {
  const request = new Request(SIGN_IN, {
    method: 'POST',
    headers: { 'content-length': '2', 'x-a': '1' },
    body: '{}',
  })
  const url = new URL(`${SIGN_IN}?callbackURL=%2F`)
  const rebuilt = rebuildRequest(request, url, '{"a":1}')
  t.equal(rebuilt.url, url.href)
  t.equal(rebuilt.method, 'POST')
  t.equal(rebuilt.headers.get('x-a'), '1')
  t.equal(rebuilt.headers.get('content-length'), null)
  t.equal(await rebuilt.text(), '{"a":1}')

  const get = rebuildRequest(new Request(SIGN_IN), url, null)
  t.equal(get.method, 'GET')
  t.equal(get.body, null, 'null: no body')
})
