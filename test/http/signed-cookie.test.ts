// The gateway's own cookie verification must agree with Better Auth's
// (better-call's getSignedCookie) on every value, except that it refuses
// non-canonical base64 signatures. Each row is checked against both.
import { createHmac } from 'node:crypto'
// better-call is Better Auth's HTTP layer (a dependency of better-auth): the
// reference implementation this file must agree with.
import { createInternalContext } from 'better-call'
import t from 'tap'
import { signedCookieVerifier } from '../../src/http/signed-cookie.ts'

const SECRET = 'unit-secret-0123456789abcdef0123456789abcdef'
const verify = signedCookieVerifier(SECRET)

const sign = (token: string, secret = SECRET) =>
  `${token}.${createHmac('sha256', secret).update(token).digest('base64')}`

/** What better-call itself makes of `value` as the cookie's raw value. */
async function betterCallVerdict(value: string): Promise<string | undefined> {
  const context = (await createInternalContext(
    { headers: new Headers({ cookie: `c=${value}` }) } as never,
    { path: '/', options: {} } as never,
  )) as { getSignedCookie: (key: string, secret: string) => Promise<string | null | false> }
  const token = await context.getSignedCookie('c', SECRET)
  return typeof token === 'string' ? token : undefined
}

const token = 'abcDEF0123456789abcDEF0123456789'
const signed = sign(token)
// A token whose signature has "+" or "/" in it, to spell it base64url.
const slashy = Array.from({ length: 100 }, (_, i) => `token-${i}`).find((x) => /[+/]/.test(sign(x))) as string
const toBase64url = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_')
const flipLastBits = (s: string) => {
  // The character before "=" carries 2 padding bits; changing them keeps the
  // decoded bytes (atob ignores them) but not the canonical spelling.
  const at = s.length - 2
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const index = alphabet.indexOf(s[at] as string)
  return `${s.slice(0, at)}${alphabet[index ^ 1]}${s.slice(at + 1)}`
}

const rows: { name: string; value: string; expected: string | undefined; betterCall?: 'accepts' }[] = [
  { name: 'URL-encoded, as Better Auth sets it', value: encodeURIComponent(signed), expected: token },
  { name: 'not encoded', value: signed, expected: token },
  { name: 'in double quotes', value: `"${encodeURIComponent(signed)}"`, expected: token },
  { name: 'a token containing dots', value: encodeURIComponent(sign('a.b.c')), expected: 'a.b.c' },
  { name: 'a non-ASCII token', value: encodeURIComponent(sign('tökén')), expected: 'tökén' },
  {
    name: 'signed with another secret',
    value: encodeURIComponent(sign(token, 'other')),
    expected: undefined,
  },
  {
    name: 'token changed after signing',
    value: encodeURIComponent(signed.replace('abc', 'abd')),
    expected: undefined,
  },
  { name: 'signature truncated', value: encodeURIComponent(signed.slice(0, -2)), expected: undefined },
  { name: 'signature without padding', value: encodeURIComponent(signed.slice(0, -1)), expected: undefined },
  { name: 'no signature', value: token, expected: undefined },
  { name: 'only a signature', value: encodeURIComponent(signed.slice(token.length)), expected: undefined },
  { name: 'empty', value: '', expected: undefined },
  { name: 'malformed percent-encoding', value: `${signed}%E0%A4%A`, expected: undefined },
  { name: 'base64url alphabet', value: encodeURIComponent(toBase64url(sign(slashy))), expected: undefined },
  {
    name: 'non-canonical padding bits (refused here, accepted by atob)',
    value: encodeURIComponent(flipLastBits(signed)),
    expected: undefined,
    betterCall: 'accepts',
  },
]

for (const row of rows) {
  t.test(row.name, async (t) => {
    t.equal(verify(row.value), row.expected, 'gateway')
    const theirs = await betterCallVerdict(row.value)
    if (row.betterCall === 'accepts')
      t.equal(theirs, token, 'better-call accepts it: the one deliberate difference')
    else t.equal(theirs, row.expected, 'better-call agrees')
  })
}
