// The cookie-tossing guard: 400 and clearing cookies for a duplicated session
// cookie, before anything else runs; everything else passes untouched.
import t from 'tap'
import { readAuthCall } from '../../../src/auth/guards/call.ts'
import {
  clearingCookies,
  duplicateSessionCookieGuard,
} from '../../../src/auth/guards/duplicate-session-cookie.ts'

const NAME = 'better-auth.session_token'

t.test('clearingCookies: every domain and path a planted copy may sit on', async (t) => {
  const rows: {
    name: string
    host: string
    path: string
    secure: boolean
    domains: string[]
    paths: string[]
  }[] = [
    {
      name: 'localhost: host-only',
      host: 'localhost',
      path: '/api/auth/get-session',
      secure: false,
      domains: [''],
      paths: ['/', '/api', '/api/auth', '/api/auth/get-session'],
    },
    {
      name: 'a subdomain: its parents too',
      host: 'docs.example.com',
      path: '/x',
      secure: true,
      domains: ['', 'example.com', 'docs.example.com'],
      paths: ['/', '/x'],
    },
    { name: 'an IP: host-only', host: '10.0.0.5', path: '/', secure: false, domains: [''], paths: ['/'] },
    {
      name: 'deep paths: four levels at most',
      host: 'localhost',
      path: '/a/b/c/d/e/f',
      secure: false,
      domains: [''],
      paths: ['/', '/a', '/a/b', '/a/b/c', '/a/b/c/d'],
    },
    {
      name: 'a page and the Better Auth path it calls: both paths’ ancestors',
      host: 'localhost',
      path: '/api/auth/sign-in/email + /auth/sign-in',
      secure: false,
      domains: [''],
      paths: [
        '/',
        '/api',
        '/api/auth',
        '/api/auth/sign-in',
        '/api/auth/sign-in/email',
        '/auth',
        '/auth/sign-in',
      ],
    },
    {
      name: 'a segment that would end the Path attribute: nothing from there on',
      host: 'localhost',
      path: '/api/auth/get-session;Domain=evil.example/x',
      secure: false,
      domains: [''],
      paths: ['/', '/api', '/api/auth'],
    },
  ]
  for (const row of rows) {
    const lines = clearingCookies(NAME, row.host, row.path.split(' + '), row.secure)
    t.equal(lines.length, row.domains.length * row.paths.length, `${row.name}: one line per domain and path`)
    for (const domain of row.domains) {
      for (const path of row.paths) {
        const line = `${NAME}=; Max-Age=0; Path=${path}${domain ? `; Domain=${domain}` : ''}; HttpOnly; SameSite=Lax${row.secure ? '; Secure' : ''}`
        t.ok(lines.includes(line), `${row.name}: ${line}`)
      }
    }
  }
})

t.test('clearingCookies: a __Host- cookie lives only host-only at /, so one line', async (t) => {
  t.same(clearingCookies(`__Host-${NAME}`, 'docs.example.com', ['/a/b'], true), [
    `__Host-${NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure`,
  ])
})

t.test('the guard answers a duplicate itself and passes everything else on', async (t) => {
  const guard = duplicateSessionCookieGuard({ cookieName: NAME, publicUrl: 'https://gw.example.com' })
  let reached = 0
  const next = async () => {
    reached++
    return new Response('from Better Auth')
  }
  const call = (cookie?: string) =>
    readAuthCall(
      new Request('https://gw.example.com/api/auth/get-session', { headers: cookie ? { cookie } : {} }),
    )

  const refused = await guard(await call(`${NAME}=a.s; ${NAME}=b.s`), next)
  t.equal(refused.status, 400)
  t.equal(reached, 0, 'Better Auth never sees it')
  t.match(await refused.json(), { code: 'DUPLICATE_SESSION_COOKIE' })
  t.equal(refused.headers.get('cache-control'), 'no-store')
  const cleared = refused.headers.getSetCookie()
  t.ok(
    cleared.length > 1 && cleared.every((c) => c.startsWith(`${NAME}=; Max-Age=0`) && c.endsWith('; Secure')),
  )

  for (const cookie of [undefined, `${NAME}=a.s`, `theme=dark; ${NAME}=a.s`, `x${NAME}=a; ${NAME}=b`]) {
    const passed = await guard(await call(cookie), next)
    t.equal(await passed.text(), 'from Better Auth', `passes: ${cookie ?? 'no cookie'}`)
  }
})
