// Open-redirect attacks on every place the gateway sends a browser after
// sign-in: safeReturnTo itself, the HTML sign-in form's returnTo, and Better
// Auth's callbackURL (rewritten by src/auth/guards/redirect-targets.ts). Each
// row is a payload from a published advisory or test corpus, named with its
// source.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { safeReturnTo } from '../../src/auth/redirects.ts'
import { buildHarness, fileDatabase, nextIp, ORIGIN, signUp } from '../helper.ts'

interface Row {
  name: string
  source: string
  input: string
}

const GATEWAY = 'https://gateway.example'
const CORPUS_SOURCE = 'oauth2-proxy testdata/openredirects.txt (GHSA-5m6c-jp6f-2vcv)'
const A5 = 'GHSA-qqxw-m5fj-f7gv (CVE-2020-5233)'
const A6 = 'GHSA-j7px-6hwj-hpjg (CVE-2020-11053), oauth2-proxy pkg/app/redirect/validator_test.go'
const ASVS_REDIRECT = 'OWASP ASVS 4.0.3 V5.1.5 (unvalidated redirects)'
const DOT_SEGMENTS = 'RFC 3986 §5.2.4 / WHATWG URL dot-segment removal'

const db = await fileDatabase(t)
const FORM = 'application/x-www-form-urlencoded'

/**
 * What is wrong with `location` as a post-sign-in redirect, or [] when a
 * browser on `origin` that follows it stays on `origin`.
 */
function redirectProblems(location: unknown, origin = GATEWAY): string[] {
  if (typeof location !== 'string') return [`not a string: ${JSON.stringify(location)}`]
  const problems: string[] = []
  if (!location.startsWith('/')) problems.push('does not start with "/"')
  if (location.startsWith('//')) problems.push('starts with "//" (protocol-relative)')
  if (location.startsWith('/\\')) problems.push('starts with "/\\" (read as "//" by browsers)')
  let landed: string
  try {
    landed = new URL(location, `${origin}/auth/sign-in`).origin
  } catch {
    landed = '(unparseable)'
  }
  if (landed !== origin) problems.push(`a browser lands on ${landed}`)
  return problems
}

/** Go's url.QueryUnescape, as oauth2-proxy's test applies it to each line ("+" is a space). */
function queryUnescape(line: string): string | undefined {
  try {
    return decodeURIComponent(line.replaceAll('+', ' '))
  } catch {
    // Invalid UTF-8 (e.g. "%a0") or a malformed escape: Go would differ; no decoded variant.
    return undefined
  }
}

function corpusRows(): Row[] {
  const text = readFileSync(new URL('../fixtures/openredirects.txt', import.meta.url), 'utf8')
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n')
  const rows: Row[] = []
  lines.forEach((line, index) => {
    rows.push({ name: `line ${index + 1} raw`, source: CORPUS_SOURCE, input: line })
    const decoded = queryUnescape(line)
    if (decoded !== undefined) {
      rows.push({ name: `line ${index + 1} QueryUnescape-decoded`, source: CORPUS_SOURCE, input: decoded })
    }
  })
  return rows
}

t.test('(a) oauth2-proxy open-redirect corpus: every payload stays on the gateway', async (t) => {
  const text = readFileSync(new URL('../fixtures/openredirects.txt', import.meta.url), 'utf8')
  const lines = text.slice(0, -1).split('\n')
  t.equal(lines.length, 552, 'the whole corpus is read (552 lines)')
  t.equal(lines[0], '', 'line 1 is the empty payload')

  const rows = corpusRows()
  t.ok(rows.length > 1000, `${rows.length} payload variants`)
  for (const row of rows) {
    await t.test(`${row.name} [${row.source}]`, async (t) => {
      const result = safeReturnTo(row.input)
      t.same(
        redirectProblems(result),
        [],
        `${row.name} ${JSON.stringify(row.input).slice(0, 80)} → ${JSON.stringify(result).slice(0, 60)} [${row.source}]`,
      )
    })
  }
})

t.test('(b) named advisory payloads all become exactly "/"', async (t) => {
  const rows: (Row & { expected?: string })[] = [
    { name: 'slash-backslash', source: A5, input: '/\\evil.com' },
    { name: 'protocol-relative (CodeQL write-up)', source: A5, input: '//evil.com' },
    // A space is not stripped by browsers (WHATWG URL strips only TAB, LF and
    // CR inside a URL): it is percent-encoded into a harmless first segment.
    { name: 'slash space slash', source: A6, input: '/ /evil.com', expected: '/%20/evil.com' },
    { name: 'slash space backslash', source: A6, input: '/ \\evil.com' },
    { name: 'slash TAB slash', source: A6, input: '/\t/evil.com' },
    { name: 'slash TAB backslash', source: A6, input: '/\t\\evil.com' },
    { name: 'slash VT slash', source: A6, input: '/\v/evil.com' },
    { name: 'slash VT backslash', source: A6, input: '/\v\\evil.com' },
    { name: 'slash LF slash', source: A6, input: '/\n/evil.com' },
    { name: 'slash LF backslash', source: A6, input: '/\n\\evil.com' },
    { name: 'slash CR slash', source: A6, input: '/\r/evil.com' },
    { name: 'slash CR backslash', source: A6, input: '/\r\\evil.com' },
    { name: 'TAB / TAB backslash', source: A6, input: '/\t/\t\\evil.com' },
    { name: 'TAB TAB / TAB slash', source: A6, input: '/\t\t/\t/evil.com' },
    { name: 'TAB TAB backslash TAB slash', source: A6, input: '/\t\t\\\t/evil.com' },
    { name: 'TAB TAB / TAB TAB backslash', source: A6, input: '/\t\t/\t\t\\evil.com' },
    { name: 'TAB TAB backslash TAB TAB slash', source: A6, input: '/\t\t\\\t\t/evil.com' },
    { name: 'dot segment then backslash', source: A6, input: '/./\\evil.com' },
    { name: 'dot-dot segments then backslash', source: A6, input: '/./../../\\evil.com' },
    { name: 'double slash redirect', source: A6, input: '//redirect' },
    { name: 'empty string', source: A6, input: '' },
    { name: 'dot segment before a double slash', source: DOT_SEGMENTS, input: '/.//evil.com' },
    { name: 'encoded dot segment before a double slash', source: DOT_SEGMENTS, input: '/%2e//evil.com' },
    { name: 'scheme without slashes', source: ASVS_REDIRECT, input: 'https:evil.com' },
    { name: 'javascript: URL', source: ASVS_REDIRECT, input: 'javascript:alert(1)' },
    { name: 'data: URL', source: ASVS_REDIRECT, input: 'data:text/html,x' },
  ]
  for (const row of rows) {
    const label = `${row.name}: ${JSON.stringify(row.input)} [${row.source}]`
    await t.test(label, async (t) => {
      const result = safeReturnTo(row.input)
      t.equal(result, row.expected ?? '/', label)
      t.same(redirectProblems(result), [], `${label}: stays on the gateway`)
    })
  }
})

t.test('(c) sign-in form: the 303 Location never leaves the gateway', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app, { email: 'redirect-form@example.com' })
  const rows: Row[] = [
    { name: 'protocol-relative', source: A5, input: '//evil.example/phish' },
    { name: 'slash-backslash', source: A5, input: '/\\evil.example' },
    { name: 'slash TAB slash', source: A6, input: '/\t/evil.example' },
    { name: 'slash LF backslash', source: A6, input: '/\n\\evil.example' },
    { name: 'slash VT slash', source: A6, input: '/\v/evil.example' },
    { name: 'dot-dot segments then backslash', source: A6, input: '/./../../\\evil.example' },
    { name: 'dot segment before a double slash', source: DOT_SEGMENTS, input: '/.//evil.example' },
    { name: 'encoded dot segment before a double slash', source: DOT_SEGMENTS, input: '/%2e//evil.example' },
    { name: 'absolute https URL', source: ASVS_REDIRECT, input: 'https://evil.example/' },
    { name: 'scheme without slashes', source: ASVS_REDIRECT, input: 'https:evil.example' },
    { name: 'javascript: URL', source: ASVS_REDIRECT, input: 'javascript:alert(1)' },
    { name: 'encoded TAB (corpus line)', source: CORPUS_SOURCE, input: '/%09/google.com' },
    { name: 'encoded double slash (corpus line)', source: CORPUS_SOURCE, input: '/%2f%2fgoogle.com' },
    { name: 'encoded backslash (corpus line)', source: CORPUS_SOURCE, input: '/%5cgoogle.com' },
    { name: 'userinfo confusion (corpus line)', source: CORPUS_SOURCE, input: '//google.com@example.com' },
    { name: 'fullwidth slashes (corpus line)', source: CORPUS_SOURCE, input: '／／google.com' },
  ]
  for (const row of rows) {
    const label = `${row.name}: ${JSON.stringify(row.input)} [${row.source}]`
    await t.test(label, async (t) => {
      const res = await app.inject({
        method: 'POST',
        url: '/auth/sign-in',
        headers: { origin: ORIGIN, 'content-type': FORM },
        remoteAddress: nextIp(),
        payload: new URLSearchParams({
          email: user.email,
          password: user.password,
          returnTo: row.input,
        }).toString(),
      })
      t.equal(res.statusCode, 303, `${label}: signed in and redirected`)
      t.same(redirectProblems(res.headers.location, ORIGIN), [], `${label}: Location ${res.headers.location}`)
    })
  }

  const safe = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: new URLSearchParams({
      email: user.email,
      password: user.password,
      returnTo: '/docs/next?x=1',
    }).toString(),
  })
  t.equal(
    safe.headers.location,
    '/docs/next?x=1',
    'a same-origin returnTo is kept (the check is not vacuous)',
  )
})

t.test('(d) Better Auth callbackURL is rewritten to "/" by the gateway', async (t) => {
  const { app } = await buildHarness(t, { db })
  const user = await signUp(app, { email: 'redirect-callback@example.com' })
  const signInWith = (callbackURL: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin: ORIGIN, 'content-type': contentType },
      remoteAddress: nextIp(),
      payload: JSON.stringify({ email: user.email, password: user.password, callbackURL }),
    })

  const rows: Row[] = [
    { name: 'absolute https URL', source: ASVS_REDIRECT, input: 'https://evil.example/x' },
    { name: 'protocol-relative', source: A5, input: '//evil.example' },
    { name: 'slash-backslash', source: A5, input: '/\\evil.example' },
    { name: 'javascript: URL', source: ASVS_REDIRECT, input: 'javascript:alert(1)' },
    { name: 'slash TAB slash', source: A6, input: '/\t/evil.example' },
    { name: 'dot segment before a double slash', source: DOT_SEGMENTS, input: '/.//evil.example' },
    { name: 'encoded dot segment before a double slash', source: DOT_SEGMENTS, input: '/%2e//evil.example' },
  ]
  for (const row of rows) {
    const label = `${row.name}: ${JSON.stringify(row.input)} [${row.source}]`
    await t.test(label, async (t) => {
      const res = await signInWith(row.input)
      t.equal(res.statusCode, 200, `${label}: sign-in succeeds`)
      t.equal(res.json().url, '/', `${label}: url rewritten to "/"`)
    })
  }

  const safe = await signInWith('/docs/next?x=1')
  t.equal(safe.statusCode, 200)
  t.equal(safe.json().url, '/docs/next?x=1', 'a same-origin callbackURL comes back unchanged')

  // The same attack with the media type spelled in capitals, which Fastify and
  // Better Auth both accept as JSON, so the guard must read such a body too
  // (src/auth/guards/call.ts tries every body as JSON). A guard that skipped
  // it would see Better Auth refuse absolute and protocol-relative values with
  // its own origin check (403), but dot-segment values reach the client as is.
  for (const row of [
    { name: 'dot segment before a double slash', source: DOT_SEGMENTS, input: '/.//evil.example' },
    { name: 'encoded dot segment before a double slash', source: DOT_SEGMENTS, input: '/%2e//evil.example' },
  ] satisfies Row[]) {
    const label = `Content-Type: Application/JSON, ${row.name}: ${JSON.stringify(row.input)} [${row.source}]`
    await t.test(label, async (t) => {
      const res = await signInWith(row.input, 'Application/JSON')
      t.equal(res.statusCode, 200, `${label}: sign-in succeeds as with application/json`)
      t.equal(res.json()?.url, '/', `${label}: url rewritten to "/" as with application/json`)
    })
  }

  const query = await app.inject({ url: '/api/auth/get-session?callbackURL=https://evil.example' })
  t.ok(query.statusCode < 500, `callbackURL in a GET query string: ${query.statusCode}, not a 5xx`)
  t.equal(query.statusCode, 200)
})
