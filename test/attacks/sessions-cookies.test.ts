// Session and cookie attacks: fixation, token reuse after sign-out, token
// theft by page script, cookie tossing on https, and identity headers
// reflected by a careless backend. Identity is checked where it matters: the
// headers the upstream receives through the proxy.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { rawRequest } from '../fixtures/raw-http.ts'
import {
  buildHarness,
  fileDatabase,
  listen,
  nextIp,
  ORIGIN,
  sessionCookie,
  signIn,
  signUp,
} from '../helper.ts'

const FIXATION = 'OWASP ASVS 4.0.3 V3.2.1 (new session token on authentication)'
const LOGOUT = 'OWASP ASVS 4.0.3 V3.3.1 (logout invalidates the session)'
const HTTPONLY = 'OWASP ASVS 4.0.3 V3.4.2 (HttpOnly: token not readable by script)'
const SECURE = 'RFC 6265bis §4.1.3.2 (__Host- prefix), OWASP ASVS 4.0.3 V3.4.1'
const REFLECT = 'GHSA-7r4p-vjf4-gxv4 (identity headers), OWASP ASVS 4.0.3 V14.3 (information disclosure)'
const REVOKE = 'OWASP ASVS 4.0.3 V3.3.4 (view and revoke active sessions)'
const FORM = 'application/x-www-form-urlencoded'
const PLANTED = 'better-auth.session_token=attacker.value'

const db = await fileDatabase(t)

function setCookies(res: LightMyRequestResponse): string[] {
  const value = res.headers['set-cookie']
  return Array.isArray(value) ? value : value === undefined ? [] : [value]
}

/** The raw token inside a "name=token.signature" cookie pair. */
function tokenOf(pair: string): string {
  return decodeURIComponent(pair.slice(pair.indexOf('=') + 1)).split('.')[0] as string
}

/** What identity the upstream receives for a request carrying `cookie`. */
async function upstreamIdentity(
  h: { app: FastifyInstance; api: { last(): { headers: Record<string, unknown> } } },
  cookie: string,
) {
  await h.app.inject({ url: '/api/x', headers: { cookie } })
  return h.api.last().headers['x-user-id']
}

async function userId(app: FastifyInstance, cookie: string): Promise<string> {
  const res = await app.inject({ url: '/api/auth/get-session', headers: { cookie } })
  return res.json().user.id
}

t.test(`(a) session fixation: a planted cookie is replaced and carries nothing [${FIXATION}]`, async (t) => {
  const h = await buildHarness(t, { db })
  const { app } = h
  const victim = await signUp(app, { email: 'sc-a-victim@example.com' })

  const json = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN, cookie: PLANTED },
    remoteAddress: nextIp(),
    payload: { email: victim.email, password: victim.password },
  })
  t.equal(json.statusCode, 200, 'JSON sign-in with a planted cookie succeeds')
  const issued = sessionCookie(json)
  t.not(tokenOf(issued), 'attacker', 'the issued token is not the planted one')
  t.not(issued, PLANTED)

  const form = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, cookie: PLANTED, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: new URLSearchParams({ email: victim.email, password: victim.password }).toString(),
  })
  t.equal(form.statusCode, 303, 'form sign-in with a planted cookie succeeds')
  t.not(tokenOf(sessionCookie(form)), 'attacker', 'the form issues its own token too')

  t.notOk(await upstreamIdentity(h, PLANTED), 'the planted cookie carries no identity through the proxy')
  t.equal(await upstreamIdentity(h, issued), await userId(app, issued), 'the issued cookie does')

  // Session swap: the attacker plants a real session of their own account.
  const attacker = await signUp(app, { email: 'sc-a-attacker@example.com' })
  const swapped = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN, cookie: attacker.cookie },
    remoteAddress: nextIp(),
    payload: { email: victim.email, password: victim.password },
  })
  const fresh = sessionCookie(swapped)
  t.not(tokenOf(fresh), tokenOf(attacker.cookie), 'a planted valid session is replaced, not reused')
  t.equal(
    await upstreamIdentity(h, fresh),
    await userId(app, victim.cookie),
    'the new cookie names the victim',
  )
})

t.test(`(b) every sign-in issues a new token [${FIXATION}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app, { email: 'sc-b-user@example.com' })
  const tokens = []
  for (let i = 0; i < 3; i++) {
    const res = await signIn(app, user)
    t.equal(res.statusCode, 200)
    tokens.push(tokenOf(sessionCookie(res)))
  }
  tokens.push(tokenOf(user.cookie))
  t.equal(new Set(tokens).size, 4, 'sign-up and three sign-ins: four distinct tokens')
})

t.test(`(c) sign-out clears the cookie and kills the session [${LOGOUT}]`, async (t) => {
  const h = await buildHarness(t, { db })
  const { app } = h
  const user = await signUp(app, { email: 'sc-c-user@example.com' })
  t.ok(await upstreamIdentity(h, user.cookie), 'signed in before')

  const out = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-out',
    headers: { cookie: user.cookie, origin: ORIGIN },
  })
  t.equal(out.statusCode, 200)
  const clearing = setCookies(out).find((c) => c.startsWith('better-auth.session_token='))
  t.match(clearing, /^better-auth\.session_token=;.*Max-Age=0/, 'a clearing Set-Cookie for the session token')
  t.notOk(await upstreamIdentity(h, user.cookie), 'the old cookie (replayed) carries no identity')
  const session = await app.inject({ url: '/api/auth/get-session', headers: { cookie: user.cookie } })
  t.equal(session.json(), null, 'get-session knows no session for it')

  const second = sessionCookie(await signIn(app, user))
  const formOut = await app.inject({
    method: 'POST',
    url: '/auth/sign-out',
    headers: { cookie: second, origin: ORIGIN, 'content-type': FORM },
    payload: '',
  })
  t.equal(formOut.statusCode, 303)
  t.match(
    setCookies(formOut).find((c) => c.startsWith('better-auth.session_token=')),
    /Max-Age=0/,
    'the form sign-out clears the cookie too',
  )
  t.notOk(await upstreamIdentity(h, second), 'and the replayed cookie carries no identity')
})

t.test(`(d) the raw token is not readable by page script [${HTTPONLY}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const collected: string[] = []
  const up = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    remoteAddress: nextIp(),
    payload: { name: 'D', email: 'sc-d-user@example.com', password: 'long enough password' },
  })
  t.equal(up.statusCode, 200)
  t.notOk('token' in up.json(), 'sign-up JSON has no top-level token')
  collected.push(...setCookies(up))
  const user = { email: 'sc-d-user@example.com', password: 'long enough password' }

  const inJson = await signIn(app, user)
  t.notOk('token' in inJson.json(), 'sign-in JSON has no top-level token')
  collected.push(...setCookies(inJson))

  const capitals = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN, 'content-type': 'Application/JSON' },
    remoteAddress: nextIp(),
    payload: JSON.stringify(user),
  })
  t.notOk('token' in (capitals.json() ?? {}), 'nor with the media type in capitals')
  collected.push(...setCookies(capitals))

  const cookie = sessionCookie(inJson)
  const session = await app.inject({ url: '/api/auth/get-session', headers: { cookie } })
  t.ok(session.json().session.id, 'get-session returns the session')
  t.notOk('token' in session.json().session, 'get-session JSON has no session.token')
  t.notMatch(session.body, tokenOf(cookie), 'the token appears nowhere in the body')
  collected.push(...setCookies(session))

  const form = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: new URLSearchParams(user).toString(),
  })
  collected.push(...setCookies(form))
  const out = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-out',
    headers: { cookie, origin: ORIGIN },
  })
  collected.push(...setCookies(out))

  const auth = collected.filter((c) => /^(__Secure-)?better-auth\./.test(c))
  t.ok(auth.length >= 5, `${auth.length} better-auth Set-Cookie headers seen`)
  for (const c of auth) t.match(c, /;\s*HttpOnly(;|$)/i, `HttpOnly: ${c.split(';')[0]?.slice(0, 40)}`)
})

t.test(
  `(d) https PUBLIC_URL: __Host-, Secure, Path=/, no Domain; cookie tossing under other names ignored [${SECURE}]`,
  async (t) => {
    const https = 'https://gateway.example'
    const h = await buildHarness(t, { db, env: { PUBLIC_URL: https } })
    const { app } = h
    const up = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin: https },
      remoteAddress: nextIp(),
      payload: { name: 'S', email: 'sc-d-secure@example.com', password: 'long enough password' },
    })
    t.equal(up.statusCode, 200)
    const inRes = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: https },
      remoteAddress: nextIp(),
      payload: { email: 'sc-d-secure@example.com', password: 'long enough password' },
    })
    t.equal(inRes.statusCode, 200)
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      headers: { origin: https, cookie: sessionCookie(up) },
    })
    const auth = [...setCookies(up), ...setCookies(inRes), ...setCookies(out)].filter((c) =>
      /better-auth\./.test(c),
    )
    t.ok(auth.length >= 3)
    for (const c of auth) {
      const name = c.split('=')[0]
      // What a browser requires before it stores a __Host- cookie at all.
      t.match(c, /^__Host-better-auth\./, `${name}: __Host- prefix`)
      t.match(c, /;\s*Secure(;|$)/, `${name}: Secure`)
      t.match(c, /;\s*Path=\/(;|$)/, `${name}: Path=/`)
      t.notMatch(c, /;\s*Domain=/i, `${name}: no Domain`)
      t.match(c, /;\s*HttpOnly(;|$)/, `${name}: HttpOnly`)
    }

    const cookie = sessionCookie(inRes)
    t.ok(await upstreamIdentity(h, cookie), 'the __Host- cookie authenticates')
    // A sibling host can set the un-prefixed name, or a __Secure- one for the
    // parent domain (cookie tossing); only a __Host- cookie is read.
    for (const tossed of [cookie.replace(/^__Host-/, ''), cookie.replace(/^__Host-/, '__Secure-')]) {
      t.notOk(
        await upstreamIdentity(h, tossed),
        `the same value as ${tossed.split('=')[0]} carries no identity`,
      )
    }
  },
)

t.test(`(e) identity headers reflected by the upstream never reach the client [${REFLECT}]`, async (t) => {
  const h = await buildHarness(t, { db })
  const { app, api } = h
  const user = await signUp(app, { email: 'sc-e-user@example.com' })
  for (const [who, headers] of [
    ['signed in', { cookie: user.cookie }],
    ['anonymous', {}],
  ] as const) {
    await t.test(who, async (t) => {
      const res = await app.inject({ url: '/api/__echo-identity', headers })
      t.equal(res.statusCode, 200, `${who}: proxied`)
      if (who === 'signed in')
        t.ok(api.last().headers['x-user-id'], `${who}: the upstream did receive an identity`)
      for (const name of ['x-user-id', 'x-auth-request-user', 'remote-user']) {
        t.notOk(name in res.headers, `${who}: ${name} (reflected by the upstream) is not sent to the client`)
      }
      t.equal(
        res.headers['content-security-policy'],
        "default-src 'self' upstream-own",
        `${who}: the upstream's own CSP passes through unchanged`,
      )
    })
  }
})

t.test(`(f) list-sessions keeps tokens because revoke-session needs them [${REVOKE}]`, async (t) => {
  const h = await buildHarness(t, { db })
  const { app } = h
  const user = await signUp(app, { email: 'sc-f-user@example.com' })
  const other = sessionCookie(await signIn(app, user))
  const list = await app.inject({ url: '/api/auth/list-sessions', headers: { cookie: user.cookie } })
  t.equal(list.statusCode, 200)
  const sessions = list.json() as { token: string }[]
  t.equal(sessions.length, 2)
  for (const s of sessions) t.type(s.token, 'string', 'each listed session names its token')
  t.ok(
    sessions.some((s) => s.token === tokenOf(other)),
    'the other device is identified by its token',
  )

  // A listed token is the unsigned value: as a cookie it authenticates nothing.
  t.notOk(
    await upstreamIdentity(h, `better-auth.session_token=${tokenOf(other)}`),
    'a listed token without its signature carries no identity',
  )

  const revoke = await app.inject({
    method: 'POST',
    url: '/api/auth/revoke-session',
    headers: { cookie: user.cookie, origin: ORIGIN },
    payload: { token: tokenOf(other) },
  })
  t.equal(revoke.statusCode, 200, 'revoke-session with a token from list-sessions')
  t.notOk(await upstreamIdentity(h, other), 'the revoked device carries no identity')
  t.ok(await upstreamIdentity(h, user.cookie), 'the current device is still signed in')
})

const TOSSING =
  'cookie tossing: Zalewski, The Tangled Web ch. 9; Squarcina et al., "Cookie Crumbles" (USENIX Security 2023)'

t.test(`(g) the session cookie twice is never resolved to either copy [${TOSSING}]`, async (t) => {
  const h = await buildHarness(t, { db })
  const { app, api } = h
  const victim = await signUp(app, { name: 'Victim' })
  const attacker = await signUp(app, { name: 'Attacker' })
  const attackerId = await userId(app, attacker.cookie)
  const victimId = await userId(app, victim.cookie)
  const port = await listen(app)

  // The attacker's own valid session, planted so the browser sends it first
  // (a narrower path, or a parent-domain cookie set earlier), then the victim's.
  const spellings: {
    name: string
    send: (path: string) => Promise<{ status: number; setCookie: string[] }>
  }[] = [
    {
      name: 'same name twice in one Cookie header',
      send: async (path) => {
        const res = await app.inject({
          url: path,
          headers: { cookie: `${attacker.cookie}; ${victim.cookie}` },
        })
        return { status: res.statusCode, setCookie: setCookies(res) }
      },
    },
    {
      name: 'two Cookie headers (raw wire)',
      send: async (path) => {
        const res = await rawRequest(
          port,
          `GET ${path} HTTP/1.1\r\nHost: x\r\nCookie: ${attacker.cookie}\r\nCookie: theme=dark; ${victim.cookie}\r\nConnection: close\r\n\r\n`,
        )
        const setCookie = res.head
          .split('\r\n')
          .filter((line) => /^set-cookie:/i.test(line))
          .map((line) => line.slice(line.indexOf(':') + 1).trim())
        return { status: res.status, setCookie }
      },
    },
    {
      name: 'a narrower-path copy first, as browsers order them',
      send: async (path) => {
        const res = await app.inject({
          url: path,
          headers: { cookie: `${attacker.cookie}; lang=en; ${victim.cookie}; theme=dark` },
        })
        return { status: res.statusCode, setCookie: setCookies(res) }
      },
    },
  ]
  for (const spelling of spellings) {
    await t.test(spelling.name, async (t) => {
      const before = api.received.length
      const proxied = await spelling.send('/api/x')
      t.equal(proxied.status, 200, 'proxied: forwarded')
      t.equal(api.received.length, before + 1)
      const got = api.last().headers
      t.notOk(got['x-user-id'], 'as anonymous: neither the attacker nor the victim')
      t.notOk(got['x-user-assertion'], 'and with no assertion')

      t.equal((await spelling.send('/verify')).status, 401, '/verify: 401')

      const auth = await spelling.send('/api/auth/get-session')
      t.equal(auth.status, 400, 'the auth endpoints refuse it with 400')
      const cleared = auth.setCookie.filter((c) => c.startsWith('better-auth.session_token=;'))
      t.ok(
        cleared.some((c) => /Max-Age=0; Path=\/;/.test(c)),
        'and clear the cookie at Path=/',
      )
      t.ok(
        cleared.some((c) => /Path=\/api\/auth;/.test(c)),
        'and at the request path’s ancestors',
      )
    })
  }
  t.equal(await upstreamIdentity(h, victim.cookie), victimId, 'the victim’s cookie alone still works')
  t.equal(await upstreamIdentity(h, attacker.cookie), attackerId, 'and so does the attacker’s, alone')

  const signInPlanted = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN, cookie: `${attacker.cookie}; ${victim.cookie}` },
    remoteAddress: nextIp(),
    payload: { email: victim.email, password: victim.password },
  })
  t.equal(
    signInPlanted.statusCode,
    400,
    'sign-in with a duplicated session cookie: refused before Better Auth runs',
  )
  t.match(signInPlanted.json(), { code: 'DUPLICATE_SESSION_COOKIE' })

  const form = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, cookie: `${attacker.cookie}; ${victim.cookie}`, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: new URLSearchParams({ email: victim.email, password: victim.password }).toString(),
  })
  t.equal(form.statusCode, 400, 'the sign-in form too: the same guard stands behind both doors')
  t.match(form.body, /sent more than once/, 'the page says why')
  t.ok(
    setCookies(form).some((c) => c.startsWith('better-auth.session_token=;')),
    'and clears the copies, so the next attempt can succeed',
  )
  t.ok(
    setCookies(form).some((c) => /^better-auth\.session_token=; Max-Age=0; Path=\/auth;/.test(c)),
    'including a copy planted for the page’s own path (/auth), not only the Better Auth path',
  )

  const oddName = await app.inject({
    method: 'POST',
    url: '/auth/sign-out',
    headers: { origin: ORIGIN, cookie: `${victim.cookie}; better-auth.a b=1`, 'content-type': FORM },
    payload: '',
  })
  t.equal(
    oddName.statusCode,
    303,
    'sign-out beside a cookie name no Set-Cookie can spell: still signs out, no 500',
  )
})
