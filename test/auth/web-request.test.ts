import type { FastifyRequest } from 'fastify'
import t from 'tap'
import { CLIENT_IP_HEADER } from '../../src/auth/better-auth.ts'
import { toAuthRequest } from '../../src/auth/web-request.ts'
import { HOP_BY_HOP } from '../../src/http/hop-by-hop.ts'

// Only the fields toAuthRequest reads; Fastify has already parsed the body.
function fastifyRequest(fields: Partial<FastifyRequest>): FastifyRequest {
  return {
    method: 'POST',
    url: '/api/auth/sign-in/email',
    ip: '203.0.113.7',
    headers: {},
    ...fields,
  } as FastifyRequest
}

t.test('connection-level and gateway-owned headers never reach Better Auth', async (t) => {
  const headers: Record<string, string> = {
    host: 'evil.example',
    'content-length': '12',
    [CLIENT_IP_HEADER]: '198.51.100.1',
    origin: 'http://localhost:3001',
    cookie: 'a=1',
  }
  for (const name of HOP_BY_HOP) headers[name] = 'x'
  const request = toAuthRequest(
    fastifyRequest({ headers, body: { email: 'a@b.c' } }),
    'http://localhost:3001',
  )
  for (const name of [...HOP_BY_HOP, 'host', 'content-length']) {
    t.equal(request.headers.get(name), null, `${name} dropped`)
  }
  t.equal(request.headers.get(CLIENT_IP_HEADER), '203.0.113.7', "the client IP is the gateway's request.ip")
  t.equal(request.headers.get('origin'), 'http://localhost:3001', 'end-to-end headers pass')
  t.equal(request.headers.get('cookie'), 'a=1')
  t.equal(new URL(request.url).origin, 'http://localhost:3001', 'built on PUBLIC_URL, not on Host')
  t.same(await request.json(), { email: 'a@b.c' }, 'the parsed body, as JSON')
})

t.test('an override replaces path, method and body', async (t) => {
  const request = toAuthRequest(
    fastifyRequest({ method: 'GET', url: '/auth/sign-out' }),
    'https://gw.example',
    {
      path: '/api/auth/sign-out',
      method: 'POST',
      json: {},
    },
  )
  t.equal(request.url, 'https://gw.example/api/auth/sign-out')
  t.equal(request.method, 'POST')
  t.equal(request.headers.get('content-type'), 'application/json')
  t.equal(await request.text(), '{}')
})
