// Moving __Secure-better-auth.* cookies to their __Host- names: a table of
// Cookie headers, inside and outside the migration window, with the exact
// header Better Auth then reads and the exact Set-Cookie lines sent back.
import t from 'tap'
import { legacyCookieMover, withoutOverridden } from '../../src/http/legacy-cookies.ts'

const NOW = Date.parse('2026-12-01T00:00:00Z')
const OPEN = NOW + 1000
const CLOSED = NOW - 1000
const TOKEN = 'better-auth.session_token'
const LEGACY = `__Secure-${TOKEN}`
const HOST = `__Host-${TOKEN}`
const DONT = 'better-auth.dont_remember'
const MAX_AGE = 604800
const twin = (name: string, value: string, maxAge = true) =>
  `${name}=${value}${maxAge ? `; Max-Age=${MAX_AGE}` : ''}; Path=/; HttpOnly; Secure; SameSite=Lax`
/** Stands in for the HMAC check: values ending ".s" are "signed". */
const isSigned = (value: string) => value.endsWith('.s')
const clear = (name: string) => `${name}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`

const rows: {
  name: string
  until: number | undefined
  header: string | undefined
  expected: { cookieHeader: string | undefined; renamed: string[]; setCookie: string[] } | undefined
  ignored?: true
}[] = [
  { name: 'no header', until: OPEN, header: undefined, expected: undefined },
  { name: 'no legacy cookie', until: OPEN, header: `${HOST}=a.s; theme=dark`, expected: undefined },
  {
    name: 'a legacy-looking name of another family passes',
    until: OPEN,
    header: '__Secure-other.session_token=x',
    expected: undefined,
  },
  {
    name: 'open: the session cookie renamed in place, its twin set, the old one cleared',
    until: OPEN,
    header: `theme=dark; ${LEGACY}=a.s; lang=en`,
    expected: {
      cookieHeader: `theme=dark; ${HOST}=a.s; lang=en`,
      renamed: [HOST],
      setCookie: [twin(HOST, 'a.s'), clear(LEGACY)],
    },
  },
  {
    name: 'open: a session that was not to be remembered stays a browser-session cookie',
    until: OPEN,
    header: `${LEGACY}=a.s; __Secure-${DONT}=true.s`,
    expected: {
      cookieHeader: `${HOST}=a.s; __Host-${DONT}=true.s`,
      renamed: [HOST, `__Host-${DONT}`],
      setCookie: [
        twin(HOST, 'a.s', false),
        twin(`__Host-${DONT}`, 'true.s', false),
        clear(LEGACY),
        clear(`__Secure-${DONT}`),
      ],
    },
  },
  {
    name: 'open: a __Host- twin always wins; the legacy copy (planted or stale) is dropped and cleared',
    until: OPEN,
    header: `${LEGACY}=attacker.s; ${HOST}=victim.s`,
    expected: { cookieHeader: `${HOST}=victim.s`, renamed: [], setCookie: [clear(LEGACY)] },
  },
  {
    name: 'open: the legacy name twice is renamed twice, so the duplicate rule refuses it',
    until: OPEN,
    header: `${LEGACY}=attacker.s; ${LEGACY}=victim.s`,
    expected: {
      cookieHeader: `${HOST}=attacker.s; ${HOST}=victim.s`,
      renamed: [HOST],
      setCookie: [twin(HOST, 'attacker.s'), clear(LEGACY)],
    },
  },
  {
    name: 'open: an unsigned value (planted, mangled) is never moved, only cleared',
    until: OPEN,
    header: `${LEGACY}=garbage.xyz; theme=dark`,
    expected: { cookieHeader: 'theme=dark', renamed: [], setCookie: [clear(LEGACY)] },
  },
  {
    name: 'open: other cookies of the family (the cookie cache, anything planted) are only cleared',
    until: OPEN,
    header: `${LEGACY}=a.s; __Secure-better-auth.session_data=d.s; __Secure-better-auth.foo=bar.s`,
    expected: {
      cookieHeader: `${HOST}=a.s`,
      renamed: [HOST],
      setCookie: [
        twin(HOST, 'a.s'),
        clear(LEGACY),
        clear('__Secure-better-auth.session_data'),
        clear('__Secure-better-auth.foo'),
      ],
    },
  },
  {
    name: 'open: a planted unsigned copy beside a signed one is dropped; the signed one is no duplicate',
    until: OPEN,
    header: `${LEGACY}=planted.xyz; ${LEGACY}=victim.s`,
    expected: {
      cookieHeader: `${HOST}=victim.s`,
      renamed: [HOST],
      setCookie: [twin(HOST, 'victim.s'), clear(LEGACY)],
    },
  },
  {
    name: 'closed: the legacy cookie is dropped and cleared',
    until: CLOSED,
    header: `${LEGACY}=a.s; theme=dark`,
    expected: { cookieHeader: 'theme=dark', renamed: [], setCookie: [clear(LEGACY)] },
    ignored: true,
  },
  {
    name: 'never opened: the same',
    until: undefined,
    header: `${LEGACY}=a.s`,
    expected: { cookieHeader: undefined, renamed: [], setCookie: [clear(LEGACY)] },
    ignored: true,
  },
  {
    name: 'closed, with a __Host- twin: nothing is ignored, the stale copy is cleared',
    until: CLOSED,
    header: `${HOST}=b.s; ${LEGACY}=a.s`,
    expected: { cookieHeader: `${HOST}=b.s`, renamed: [], setCookie: [clear(LEGACY)] },
  },
]

t.test('legacyCookieMover: the table', async (t) => {
  for (const row of rows) {
    let ignored = 0
    const move = legacyCookieMover({
      until: row.until,
      sessionMaxAgeSeconds: MAX_AGE,
      isSigned,
      now: () => NOW,
      onIgnored: () => ignored++,
    })
    t.same(move(row.header), row.expected, row.name)
    t.equal(
      ignored,
      row.ignored ? 1 : 0,
      `${row.name}: ${row.ignored ? 'reported' : 'nothing reported'} as ignored`,
    )
  }
})

t.test('the window closes by the clock, not at start-up', async (t) => {
  let now = NOW
  const move = legacyCookieMover({ until: NOW + 10, sessionMaxAgeSeconds: MAX_AGE, isSigned, now: () => now })
  t.same(move(`${LEGACY}=a.s`)?.renamed, [HOST], 'before its end: renamed')
  now = NOW + 10
  t.same(move(`${LEGACY}=a.s`)?.renamed, [], 'at its end: no longer')
})

t.test('withoutOverridden: the answer’s own Set-Cookie wins', async (t) => {
  const lines = [twin(HOST, 'a.s'), clear(LEGACY)]
  t.same(withoutOverridden(lines, []), lines, 'nothing set by the answer')
  t.same(
    withoutOverridden(lines, [`${HOST}=; Max-Age=0; Path=/`]),
    [clear(LEGACY)],
    'the answer clears the session',
  )
  t.same(
    withoutOverridden(lines, [`${LEGACY}=; Max-Age=0`]),
    [twin(HOST, 'a.s')],
    'the answer clears the legacy name',
  )
})
