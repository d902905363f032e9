import t from 'tap'
import { AUTH_BASE_PATH } from '../../../src/auth/better-auth.ts'
import { readAuthCall } from '../../../src/auth/guards/call.ts'
import { retryAfterGuard } from '../../../src/auth/guards/retry-after.ts'

/** The guard's answer when Better Auth answers `response`. */
async function guarded(response: Response): Promise<Response> {
  const call = await readAuthCall(new Request(`http://gw.test${AUTH_BASE_PATH}/sign-in/email`))
  return retryAfterGuard(call, async () => response)
}

t.test('a 429 without Retry-After gets one', async (t) => {
  const rows: { name: string; headers: Record<string, string>; expected: string }[] = [
    { name: "Better Auth's X-Retry-After", headers: { 'x-retry-after': '7' }, expected: '7' },
    { name: 'no hint at all: 60 s', headers: {}, expected: '60' },
  ]
  for (const row of rows) {
    const res = await guarded(
      new Response('{"message":"Too many requests"}', {
        status: 429,
        headers: { 'content-type': 'application/json', ...row.headers },
      }),
    )
    t.equal(res.status, 429, `${row.name}: still 429`)
    t.equal(res.headers.get('retry-after'), row.expected, `${row.name}: Retry-After ${row.expected}`)
    t.equal(
      res.headers.get('x-retry-after'),
      row.headers['x-retry-after'] ?? null,
      `${row.name}: other headers kept`,
    )
    t.equal(res.headers.get('content-type'), 'application/json', `${row.name}: content-type kept`)
    t.equal(await res.text(), '{"message":"Too many requests"}', `${row.name}: body kept`)
  }
})

t.test('other answers are returned as the very same object', async (t) => {
  const rows: { name: string; response: Response }[] = [
    {
      name: 'a 429 that has Retry-After (the gateway’s own) keeps it',
      response: new Response(null, { status: 429, headers: { 'retry-after': '2', 'x-retry-after': '9' } }),
    },
    { name: '200', response: new Response('ok') },
    { name: '401', response: new Response(null, { status: 401 }) },
    {
      name: '503 without Retry-After',
      response: new Response(null, { status: 503, headers: { 'x-retry-after': '5' } }),
    },
  ]
  for (const row of rows) {
    const res = await guarded(row.response)
    t.equal(res, row.response, row.name)
    t.equal(
      res.headers.get('retry-after'),
      row.response.status === 429 ? '2' : null,
      `${row.name}: Retry-After as it came`,
    )
  }
})
