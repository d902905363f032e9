// Password guessing against one account from many addresses. Better Auth
// limits sign-ins per client IP (3 per 10 s); src/auth/account-throttle.ts adds
// a per-account limit (5 failures per 15 minutes) that
// src/auth/guards/account-throttle.ts applies to every door into Better Auth's
// sign-in. Every attempt here comes from a fresh address, so only the
// per-account limit can stop it.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import {
  AccountThrottle,
  canonicalEmail,
  DEFAULT_THROTTLE,
  type ThrottleOptions,
} from '../../src/auth/account-throttle.ts'
import { buildHarness, fileDatabase, nextIp, ORIGIN, signIn, signUp } from '../helper.ts'

const ASVS_BRUTE = 'OWASP ASVS 4.0.3 V2.2.1 (anti-automation: brute force, credential stuffing)'
const WSTG_ENUM = 'OWASP WSTG-IDNT-04 (account enumeration)'
const MEDIA_TYPE = 'RFC 9110 §8.3.1 (media types are case-insensitive): parser differential'
const FORM = 'application/x-www-form-urlencoded'
const WRONG = 'not the right password'

const db = await fileDatabase(t)

function jsonSignIn(
  app: FastifyInstance,
  email: string,
  password: string,
  {
    url = '/api/auth/sign-in/email',
    contentType = 'application/json',
    body = undefined as string | undefined,
  } = {},
) {
  return app.inject({
    method: 'POST',
    url,
    headers: { origin: ORIGIN, 'content-type': contentType },
    remoteAddress: nextIp(),
    payload: body ?? JSON.stringify({ email, password }),
  })
}

function formSignIn(app: FastifyInstance, email: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { origin: ORIGIN, 'content-type': FORM },
    remoteAddress: nextIp(),
    payload: new URLSearchParams({ email, password }).toString(),
  })
}

async function statuses(attempts: (() => Promise<LightMyRequestResponse>)[]) {
  const responses: LightMyRequestResponse[] = []
  for (const attempt of attempts) responses.push(await attempt())
  return responses
}

t.test(`(a) one account, six IPs: the sixth guess is locked out [${ASVS_BRUTE}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const victim = await signUp(app, { email: 'bf-a-victim@example.com' })
  const responses = await statuses(
    Array.from({ length: 6 }, () => () => signIn(app, { ...victim, password: WRONG })),
  )
  t.same(
    responses.map((r) => r.statusCode),
    [401, 401, 401, 401, 401, 429],
    'five failures from five addresses, then 429',
  )
  const locked = responses[5] as LightMyRequestResponse
  t.match(locked.headers['retry-after'], /^\d+$/, 'numeric Retry-After')
  const wait = Number(locked.headers['retry-after'])
  t.ok(wait > 0 && wait <= DEFAULT_THROTTLE.windowMs / 1000, `Retry-After ${wait} s is within the window`)
  t.equal(locked.json().code, 'TOO_MANY_ATTEMPTS')
  t.notOk(locked.headers['set-cookie'], 'no cookie on a locked answer')

  const right = await signIn(app, victim)
  t.equal(right.statusCode, 429, 'the correct password from yet another IP is locked out too')
  t.notOk(right.headers['set-cookie'], 'the lock issues no session')
})

t.test(`(b) email spellings share one budget [${ASVS_BRUTE}; Unicode UAX #15 NFKC]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const victim = await signUp(app, { email: 'bf-b-victim@example.com' })
  const spellings = {
    mixedCase: 'Bf-B-Victim@Example.com',
    padded: ' bf-b-victim@example.com ',
    upper: 'BF-B-VICTIM@EXAMPLE.COM',
    // Fullwidth letters, hyphen, at sign and full stop (U+FF01..U+FF5E).
    fullwidth: 'ｂｆ－ｂ－ｖｉｃｔｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  }
  for (const [name, spelling] of Object.entries(spellings)) {
    await t.test(`${name} spelling canonicalises`, async (t) => {
      t.equal(canonicalEmail(spelling), victim.email, `${name} spelling canonicalises to the account's email`)
    })
  }

  // Better Auth refuses the padded and fullwidth spellings as malformed (400)
  // before any password check, so they are not guesses and use no budget; the
  // spellings it does check are counted together.
  const sequence: [string, number][] = [
    [spellings.mixedCase, 401],
    [spellings.padded, 400],
    [spellings.upper, 401],
    [spellings.fullwidth, 400],
    [victim.email, 401],
    [spellings.mixedCase, 401],
    [spellings.upper, 401],
  ]
  const got = []
  for (const [email] of sequence) got.push((await jsonSignIn(app, email, WRONG)).statusCode)
  t.same(
    got,
    sequence.map(([, status]) => status),
    'five failures over three spellings (two malformed ones refused)',
  )

  for (const [name, spelling] of Object.entries({ ...spellings, canonical: victim.email })) {
    await t.test(`${name} spelling is locked`, async (t) => {
      const res = await jsonSignIn(app, spelling, victim.password)
      t.equal(
        res.statusCode,
        429,
        `${name} spelling ${JSON.stringify(spelling)} is locked with the right password`,
      )
    })
  }
})

t.test(`(c) an unknown email is answered exactly like a known one [${WSTG_ENUM}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const known = await signUp(app, { email: 'bf-c-known@example.com' })
  const unknown = 'bf-c-nobody@example.com'
  const knownResponses = await statuses(
    Array.from({ length: 6 }, () => () => jsonSignIn(app, known.email, WRONG)),
  )
  const unknownResponses = await statuses(
    Array.from({ length: 6 }, () => () => jsonSignIn(app, unknown, WRONG)),
  )
  const shape = (r: LightMyRequestResponse) => ({
    status: r.statusCode,
    body: r.json(),
    retryAfter: r.headers['retry-after'] === undefined ? 'absent' : 'numeric',
    setCookie: r.headers['set-cookie'] !== undefined,
  })
  t.same(
    unknownResponses.map((r) => r.statusCode),
    [401, 401, 401, 401, 401, 429],
    'unknown email: 401 ×5 then 429',
  )
  t.same(unknownResponses.map(shape), knownResponses.map(shape), 'identical statuses, bodies and headers')
})

t.test(`(d) the HTML form and the JSON endpoint share one budget [${ASVS_BRUTE}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const victim = await signUp(app, { email: 'bf-d-victim@example.com' })
  const got = []
  for (let i = 0; i < 3; i++) got.push((await jsonSignIn(app, victim.email, WRONG)).statusCode)
  for (let i = 0; i < 2; i++) got.push((await formSignIn(app, victim.email, WRONG)).statusCode)
  t.same(got, [401, 401, 401, 401, 401], '3 JSON + 2 form failures')

  const form = await formSignIn(app, victim.email, WRONG)
  t.equal(form.statusCode, 429, 'the next form attempt is locked')
  t.match(form.headers['content-type'], /text\/html/)
  t.match(
    form.body,
    /class="alert error"[^>]*>Too many failed sign-ins for this account\. Try again in 15 minutes\./,
    'the page shows the error',
  )
  t.match(form.headers['retry-after'], /^\d+$/, 'Retry-After on the page too')
  t.notOk(form.headers['set-cookie'])

  const formRight = await formSignIn(app, victim.email, victim.password)
  t.equal(formRight.statusCode, 429, 'the form with the right password is locked')
  t.equal((await jsonSignIn(app, victim.email, victim.password)).statusCode, 429, 'and so is JSON')
})

t.test(`(e) a success before the limit resets the count [${ASVS_BRUTE}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const victim = await signUp(app, { email: 'bf-e-victim@example.com' })
  const wrong = () => jsonSignIn(app, victim.email, WRONG)
  const before = await statuses([wrong, wrong, wrong, wrong])
  t.same(
    before.map((r) => r.statusCode),
    [401, 401, 401, 401],
  )
  t.equal((await jsonSignIn(app, victim.email, victim.password)).statusCode, 200, 'the owner signs in')
  const after = await statuses([wrong, wrong, wrong, wrong, wrong, wrong])
  t.same(
    after.map((r) => r.statusCode),
    [401, 401, 401, 401, 401, 429],
    'four failures after the success are still 401; the count restarted from zero',
  )
})

t.test(`(f) AccountThrottle with an injected clock [${ASVS_BRUTE}]`, async (t) => {
  const clock = { now: 1_000_000 }
  const make = (overrides: Partial<ThrottleOptions> = {}) =>
    new AccountThrottle({
      maxFailures: 3,
      windowMs: 60_000,
      maxEntries: 10,
      now: () => clock.now,
      ...overrides,
    })

  t.test('lock expires after windowMs (counted from the first failure)', async (t) => {
    clock.now = 1_000_000
    const throttle = make()
    for (let i = 0; i < 3; i++) throttle.recordFailure('lock@example.com')
    t.equal(throttle.retryAfter('lock@example.com'), 60, 'locked for the whole window')
    clock.now += 59_999
    t.equal(throttle.retryAfter('lock@example.com'), 1, 'still locked 1 ms before the end')
    clock.now += 1
    t.equal(throttle.retryAfter('lock@example.com'), 0, 'free at windowMs')
    t.equal(throttle.size, 0, 'the expired entry is dropped')
    throttle.recordFailure('lock@example.com')
    t.equal(throttle.retryAfter('lock@example.com'), 0, 'a new window starts with one failure')
  })

  t.test('below maxFailures nothing is locked', async (t) => {
    clock.now = 1_000_000
    const throttle = make()
    throttle.recordFailure('below@example.com')
    throttle.recordFailure('below@example.com')
    t.equal(throttle.retryAfter('below@example.com'), 0)
    throttle.recordFailure('BELOW@example.com ')
    t.equal(throttle.retryAfter('below@example.com'), 60, 'the third, differently spelt failure locks')
  })

  t.test('retryAfter counts down in whole seconds', async (t) => {
    clock.now = 1_000_000
    const throttle = make()
    for (let i = 0; i < 3; i++) throttle.recordFailure('count@example.com')
    const seen = []
    for (const elapsed of [0, 500, 1_000, 15_000, 30_001, 59_001]) {
      clock.now = 1_000_000 + elapsed
      seen.push(throttle.retryAfter('count@example.com'))
    }
    t.same(seen, [60, 60, 59, 45, 30, 1])
  })

  t.test('maxEntries bounds memory by evicting the oldest entry', async (t) => {
    clock.now = 1_000_000
    const throttle = make({ maxEntries: 2 })
    for (let i = 0; i < 3; i++) throttle.recordFailure('oldest@example.com')
    t.equal(throttle.retryAfter('oldest@example.com'), 60)
    throttle.recordFailure('second@example.com')
    t.equal(throttle.size, 2)
    // A spray of fresh addresses pushes the oldest lock out: the price of the
    // memory bound (100 000 entries by default).
    throttle.recordFailure('third@example.com')
    t.equal(throttle.size, 2, 'never more than maxEntries')
    t.equal(throttle.retryAfter('oldest@example.com'), 0, 'the oldest entry was evicted')
    throttle.recordFailure('second@example.com')
    throttle.recordFailure('second@example.com')
    t.equal(throttle.retryAfter('second@example.com'), 60, 'the younger entry kept its count')
  })

  t.test('recordSuccess clears the count', async (t) => {
    clock.now = 1_000_000
    const throttle = make()
    throttle.recordFailure('clear@example.com')
    throttle.recordFailure('clear@example.com')
    throttle.recordSuccess('Clear@Example.com')
    t.equal(throttle.size, 0)
    throttle.recordFailure('clear@example.com')
    throttle.recordFailure('clear@example.com')
    t.equal(throttle.retryAfter('clear@example.com'), 0, 'two failures after the success do not lock')
  })

  t.test('the defaults are 5 failures per 15 minutes', async (t) => {
    t.equal(DEFAULT_THROTTLE.maxFailures, 5)
    t.equal(DEFAULT_THROTTLE.windowMs, 15 * 60_000)
  })
})

t.test(`(g) other spellings of the sign-in request cannot get past a lock [${ASVS_BRUTE}]`, async (t) => {
  const { app } = await buildHarness(t, { db })
  const victim = await signUp(app, { email: 'bf-g-victim@example.com' })
  for (let i = 0; i < 5; i++) await jsonSignIn(app, victim.email, WRONG)
  t.equal((await jsonSignIn(app, victim.email, WRONG)).statusCode, 429, 'the account is locked')

  const json = (fields: Record<string, string>) => JSON.stringify(fields)
  const rows: { name: string; source: string; url?: string; contentType?: string; body?: string }[] = [
    { name: 'query string on the path', source: ASVS_BRUTE, url: '/api/auth/sign-in/email?x=1' },
    { name: 'trailing slash', source: ASVS_BRUTE, url: '/api/auth/sign-in/email/' },
    { name: 'percent-encoded path letter', source: ASVS_BRUTE, url: '/api/auth/sign-in/%65mail' },
    { name: 'upper-case path', source: ASVS_BRUTE, url: '/api/auth/SIGN-IN/email' },
    {
      name: 'duplicate "email" keys (last wins in both parsers)',
      source: ASVS_BRUTE,
      body: `{"email":"someone-else@example.com","email":${JSON.stringify(victim.email)},"password":${JSON.stringify(victim.password)}}`,
    },
    {
      name: 'email padded with spaces inside JSON',
      source: ASVS_BRUTE,
      body: json({ email: ` ${victim.email.toUpperCase()} `, password: victim.password }),
    },
    { name: 'Content-Type with charset', source: MEDIA_TYPE, contentType: 'application/json; charset=utf-8' },
    { name: 'Content-Type in capitals', source: MEDIA_TYPE, contentType: 'Application/JSON' },
    {
      name: 'Content-Type upper case with charset',
      source: MEDIA_TYPE,
      contentType: 'APPLICATION/JSON; charset=UTF-8',
    },
  ]
  for (const row of rows) {
    const label = `${row.name} [${row.source}]`
    await t.test(label, async (t) => {
      const res = await jsonSignIn(app, victim.email, victim.password, row)
      t.not(res.statusCode, 200, `${label}: the right password does not sign in (${res.statusCode})`)
      t.notOk(res.headers['set-cookie'], `${label}: no session cookie`)
    })
  }

  // Guesses sent with the capitalised media type must count as well.
  const fresh = await signUp(app, { email: 'bf-g-fresh@example.com' })
  for (let i = 0; i < 5; i++) await jsonSignIn(app, fresh.email, WRONG, { contentType: 'Application/JSON' })
  const next = await jsonSignIn(app, fresh.email, WRONG)
  t.equal(
    next.statusCode,
    429,
    `five guesses sent as "Application/JSON" count toward the lock [${MEDIA_TYPE}]`,
  )
})

t.test('measured (not asserted): wall time of failed sign-ins, known vs unknown email', async (t) => {
  const { app } = await buildHarness(t, { db })
  const known = []
  for (let i = 0; i < 10; i++) known.push(await signUp(app, { email: `bf-timing-${i}@example.com` }))
  const times = { known: [] as number[], unknown: [] as number[] }
  const codes: number[] = []
  const time = async (email: string, into: number[]) => {
    const start = performance.now()
    const res = await signIn(app, { email, password: WRONG })
    into.push(performance.now() - start)
    codes.push(res.statusCode)
  }
  // Interleaved, one failure per email, so neither the per-account limit
  // nor warm-up favours one side.
  for (let i = 0; i < 10; i++) {
    await time(known[i]?.email as string, times.known)
    await time(`bf-timing-nobody-${i}@example.com`, times.unknown)
  }
  t.same(codes, Array(20).fill(401), 'every measured attempt was a plain 401 failure')
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const ms = (x: number) => `${x.toFixed(1)} ms`
  t.comment(
    `failed sign-in mean wall time over 10 each: known email ${ms(mean(times.known))}, unknown email ${ms(mean(times.unknown))}`,
  )
  t.comment(`known: ${times.known.map(ms).join(', ')}`)
  t.comment(`unknown: ${times.unknown.map(ms).join(', ')}`)
})
