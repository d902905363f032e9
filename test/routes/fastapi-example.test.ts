// The real example backend (examples/fastapi, under the real uvicorn) behind
// the gateway, end to end: it learns who is calling from X-User-Assertion,
// verified against the gateway's JWKS over HTTP; it keeps items per user;
// and a direct call that skips the gateway cannot forge an identity.
import { decodeJwt } from 'jose'
import t from 'tap'
import { fastapiExampleBehindGateway, fileDatabase, ORIGIN, signUp } from '../helper.ts'

const db = await fileDatabase(t)
const { app, backend: uvicorn } = await fastapiExampleBehindGateway(t, db)

const ada = await signUp(app, { name: 'Ada Lovelace' })
const zoe = await signUp(app, { name: 'Zoë 山田' })

/** A request through the gateway, as a browser or script would send it. */
const viaGateway = (
  cookie: string | undefined,
  url: string,
  init: { method?: string; payload?: object } = {},
) =>
  app.inject({
    url,
    method: (init.method ?? 'GET') as 'GET',
    payload: init.payload,
    headers: cookie ? { cookie } : {},
  })

/** What the gateway sends upstream for this user, captured through /verify. */
async function gatewayHeaders(cookie: string): Promise<Record<string, string>> {
  const res = await app.inject({ url: '/verify', headers: { cookie } })
  return res.headers as Record<string, string>
}

t.test('signed in, /api/me is the user; anonymous, 401 from FastAPI', async (t) => {
  const me = await viaGateway(zoe.cookie, '/api/me')
  t.equal(me.statusCode, 200, me.body)
  const body = me.json()
  t.match(body, { email: zoe.email, name: 'Zoë 山田' })
  t.equal(body.id, decodeJwt((await gatewayHeaders(zoe.cookie))['x-user-assertion'] as string).sub)
  t.ok(body.session_id, 'the session id (sid) reaches the backend')

  const anonymous = await viaGateway(undefined, '/api/me')
  t.equal(anonymous.statusCode, 401)
  t.same(anonymous.json(), { detail: 'missing assertion' })

  const publicPage = await viaGateway(undefined, '/api/public')
  t.match(publicPage.json(), { user: null }, '/api/public needs nobody')
  t.match((await viaGateway(ada.cookie, '/api/public')).json(), { user: { name: 'Ada Lovelace' } })
})

t.test('items are per user: one never sees or deletes another’s', async (t) => {
  const created = await viaGateway(ada.cookie, '/api/items', {
    method: 'POST',
    payload: { title: 'Ada’s notes' },
  })
  t.equal(created.statusCode, 201, created.body)
  const item = created.json()
  t.match(item, { id: Number, title: 'Ada’s notes' })

  t.same(
    (await viaGateway(ada.cookie, '/api/items')).json().map((i: { id: number }) => i.id),
    [item.id],
  )
  t.same((await viaGateway(zoe.cookie, '/api/items')).json(), [], 'Zoë sees none of Ada’s items')
  const stolen = await viaGateway(zoe.cookie, `/api/items/${item.id}`, { method: 'DELETE' })
  t.equal(stolen.statusCode, 404, 'Zoë cannot delete it, nor learn that it exists')
  t.equal((await viaGateway(undefined, '/api/items')).statusCode, 401, 'anonymous: 401')
  t.equal(
    (await viaGateway(ada.cookie, '/api/items', { method: 'POST', payload: { title: '' } })).statusCode,
    422,
    'bad input: 422 from FastAPI',
  )
  t.equal((await viaGateway(ada.cookie, `/api/items/${item.id}`, { method: 'DELETE' })).statusCode, 204)
  t.same((await viaGateway(ada.cookie, '/api/items')).json(), [], 'and it is gone')
})

// Forged, altered and borrowed assertions sent straight to this backend are
// the attack table in test/attacks/assertion-forgery.test.ts.
t.test(
  'a captured assertion replays directly within its lifetime: why the backend stays unreachable',
  async (t) => {
    const headers = await gatewayHeaders(ada.cookie)
    const replay = await fetch(`${uvicorn.url}/api/me`, {
      headers: {
        'x-user-id': headers['x-user-id'] as string,
        'x-user-assertion': headers['x-user-assertion'] as string,
      },
    })
    t.equal(
      replay.status,
      200,
      'the limit of a bearer assertion, shown rather than hidden (examples/fastapi/README.md)',
    )
  },
)

t.test('FastAPI’s trailing-slash redirect reaches the client on the public origin', async (t) => {
  const res = await viaGateway(ada.cookie, '/api/items/?page=2')
  t.equal(res.statusCode, 307)
  t.equal(res.headers.location, `${ORIGIN}/api/items?page=2`, 'not uvicorn’s own address')
})
