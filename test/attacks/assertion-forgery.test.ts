// Class 11: assertion forgery. Someone reaches the backend without the
// gateway (a debug port, a second proxy, a misconfigured network) and sends
// identity headers with an X-User-Assertion they made, altered or replayed.
// The real example backend (examples/fastapi/gateway_auth.py on the real
// uvicorn, the JWKS fetched from the real gateway) must answer each with 401
// and a reason, never a 500 and never the identity. Each row names its
// source: the JWT library flaw or RFC 8725 section it is a case of.
import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, exportJWK, SignJWT } from 'jose'
import t from 'tap'
import { fastapiExampleBehindGateway, fileDatabase, signUp } from '../helper.ts'

const db = await fileDatabase(t)
const { app, backend, gatewayPort } = await fastapiExampleBehindGateway(t, db)

/** The headers the gateway gives a signed-in user (its /verify answer). */
async function issued(name: string) {
  const user = await signUp(app, { name })
  const headers = (await app.inject({ url: '/verify', headers: { cookie: user.cookie } })).headers
  return { id: headers['x-user-id'] as string, assertion: headers['x-user-assertion'] as string }
}
const victim = await issued('Victim')
const attacker = await issued('Attacker')
const claims = decodeJwt(victim.assertion)
const { kid } = decodeProtectedHeader(victim.assertion)
const [header, payload, signature] = victim.assertion.split('.') as [string, string, string]
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
const { privateKey: foreignKey, publicKey: foreignPublic } = generateKeyPairSync('ed25519')
const now = () => Math.floor(Date.now() / 1000)

/** A token the attacker signs with their own Ed25519 key, claims and header as given. */
const signed = (extraClaims: object, protectedHeader: object = { alg: 'EdDSA', kid }) =>
  new SignJWT({ ...claims, ...extraClaims })
    .setProtectedHeader(protectedHeader as { alg: string })
    .sign(foreignKey)

/** HS256 over header.payload with `secret` as the HMAC key (algorithm confusion). */
async function hs256(secret: Uint8Array) {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', kid: kid as string }).sign(secret)
}
const publicJwk = (await app.inject({ url: '/.well-known/jwks.json' })).json().keys[0]

interface Row {
  name: string
  source: string
  userId: string
  assertion: string | undefined
  reason: string
}

const rows: Row[] = [
  {
    name: 'X-User-Id alone',
    source: 'the reason the assertion exists (Caddy GHSA-7r4p-vjf4-gxv4 class)',
    userId: victim.id,
    assertion: undefined,
    reason: 'missing assertion',
  },
  {
    name: 'alg: none, signature empty',
    source: 'CVE-2015-9235 (jsonwebtoken), RFC 8725 §2.1',
    userId: victim.id,
    assertion: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    reason: 'unsupported algorithm',
  },
  {
    name: 'alg: None (case variant)',
    source: 'CVE-2015-9235 variants',
    userId: victim.id,
    assertion: `${b64({ alg: 'None', kid })}.${payload}.`,
    reason: 'unsupported algorithm',
  },
  {
    name: 'HS256 keyed with the published x (raw bytes)',
    source: 'CVE-2016-10555 (jwt-simple), CVE-2022-29217 (PyJWT, EdDSA keys)',
    userId: victim.id,
    assertion: await hs256(Buffer.from(publicJwk.x, 'base64url')),
    reason: 'unsupported algorithm',
  },
  {
    name: 'HS256 keyed with the JWKS entry text',
    source: 'CVE-2016-10555 (algorithm confusion)',
    userId: victim.id,
    assertion: await hs256(Buffer.from(JSON.stringify(publicJwk))),
    reason: 'unsupported algorithm',
  },
  {
    name: 'signature stripped, alg kept',
    source: 'RFC 8725 §3.1 (signature must be verified)',
    userId: victim.id,
    assertion: `${header}.${payload}.`,
    reason: 'bad signature',
  },
  {
    name: 'all-zero signature',
    source: 'CVE-2022-21449 (psychic signatures), for EdDSA',
    userId: victim.id,
    assertion: `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`,
    reason: 'bad signature',
  },
  {
    name: 'payload swapped, signature kept',
    source: 'RFC 7515 §5.2 (the signature covers header and payload)',
    userId: attacker.id,
    assertion: `${header}.${b64({ ...claims, sub: attacker.id })}.${signature}`,
    reason: 'bad signature',
  },
  {
    name: 'own key, the real kid',
    source: 'RFC 8725 §3.1',
    userId: victim.id,
    assertion: await signed({}),
    reason: 'bad signature',
  },
  {
    name: 'own key, unknown kid',
    source: 'kid confusion (RFC 8725 §3.10)',
    userId: victim.id,
    assertion: await signed({}, { alg: 'EdDSA', kid: 'attacker-kid' }),
    reason: 'unknown key',
  },
  {
    name: 'own key embedded as jwk header',
    source: 'CVE-2018-0114 (node-jose embedded JWK)',
    userId: victim.id,
    assertion: await signed({}, { alg: 'EdDSA', jwk: await exportJWK(foreignPublic) }),
    reason: 'missing key id',
  },
  {
    name: 'jku pointing at the attacker’s JWKS',
    source: 'RFC 8725 §3.10 (jku/x5u must not be followed)',
    userId: victim.id,
    assertion: await signed({}, { alg: 'EdDSA', kid: 'evil', jku: 'http://127.0.0.1:1/jwks.json' }),
    reason: 'unknown key',
  },
  {
    name: 'kid path traversal',
    source: 'kid injection (RFC 8725 §3.10)',
    userId: victim.id,
    assertion: await signed({}, { alg: 'EdDSA', kid: '../../../../dev/null' }),
    reason: 'unknown key',
  },
  {
    name: 'another user’s real assertion with my X-User-Id',
    source: 'header/assertion disagreement (RFC 8725 §3.9, inferred)',
    userId: attacker.id,
    assertion: victim.assertion,
    reason: 'subject does not match X-User-Id',
  },
  {
    name: 'malformed: two segments',
    source: 'RFC 7515 §7.1',
    userId: victim.id,
    assertion: `${header}.${payload}`,
    reason: 'malformed assertion',
  },
  {
    name: 'malformed: not base64url',
    source: 'RFC 7515 §7.1',
    userId: victim.id,
    assertion: '!!!.@@@.###',
    reason: 'malformed assertion',
  },
  {
    name: 'malformed: header not JSON',
    source: 'RFC 7515 §7.1',
    userId: victim.id,
    assertion: `${Buffer.from('nope').toString('base64url')}.${payload}.${signature}`,
    reason: 'malformed assertion',
  },
]

for (const row of rows) {
  t.test(`${row.name} [${row.source}]`, async (t) => {
    const headers: Record<string, string> = { 'x-user-id': row.userId }
    if (row.assertion !== undefined) headers['x-user-assertion'] = row.assertion
    const res = await fetch(`${backend.url}/api/me`, { headers })
    t.equal(res.status, 401, `${row.name}: 401, never the identity, never a 500`)
    t.same(await res.json(), { detail: row.reason }, `${row.name}: says why`)
    t.match(res.headers.get('www-authenticate'), /invalid_token/)
  })
}

// Expiry, audience and issuer are checked by the same verifier; these need
// a valid signature, so they are minted with a JWKS the verifier trusts in
// examples/fastapi/tests (pytest), where the key is the test's own.

t.test(
  'through the gateway, a forged assertion never reaches the backend: the gateway’s own replaces it',
  async (t) => {
    const forged = rows.find((row) => row.name === 'own key, the real kid')?.assertion as string
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/api/me`, {
      headers: { 'x-user-id': victim.id, 'x-user-assertion': forged },
    })
    t.equal(res.status, 401, 'anonymous through the gateway: the forged headers were stripped')
    t.same(await res.json(), { detail: 'missing assertion' })
    t.ok(now() <= (claims.exp as number), 'the victim’s real assertion was still valid throughout')
  },
)
