// Verifies a Better Auth signed cookie value without Better Auth: the format is
// better-call's, `encodeURIComponent(token + "." + base64(HMAC-SHA256(secret, token)))`.
// Better Auth verifies through WebCrypto and re-imports the key on every call;
// node:crypto with the key bytes prepared once is an order of magnitude cheaper,
// and a cache miss should not pay more than the query it has to make.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** An HMAC-SHA256 digest is 32 bytes: 44 base64 characters ending in one "=". */
const SIGNATURE_LENGTH = 44

export type VerifySignedCookie = (cookieValue: string) => string | undefined

/**
 * Returns a verifier for cookie values signed with `secret`: the token when
 * the signature is right, undefined otherwise. Parsing mirrors better-call's
 * (surrounding quotes dropped, percent-decoding, the last "." splits), so a
 * value verifies here exactly when it verifies there, with one deliberate
 * difference: only the canonical base64 spelling of the signature is accepted,
 * where `atob` would also take variants with non-zero padding bits. Nobody but
 * a tamperer produces those, and refusing them grants nothing.
 */
export function signedCookieVerifier(secret: string): VerifySignedCookie {
  const key = Buffer.from(secret, 'utf8')
  return (cookieValue) => {
    const value = decode(unquote(cookieValue))
    const dot = value.lastIndexOf('.')
    if (dot < 1) return undefined
    const signature = value.slice(dot + 1)
    if (signature.length !== SIGNATURE_LENGTH || !signature.endsWith('=')) return undefined
    const token = value.slice(0, dot)
    const expected = createHmac('sha256', key).update(token, 'utf8').digest('base64')
    // Both are 44 ASCII characters here, so the byte lengths match too.
    const given = Buffer.from(signature, 'latin1')
    if (given.length !== SIGNATURE_LENGTH) return undefined
    return timingSafeEqual(given, Buffer.from(expected, 'latin1')) ? token : undefined
  }
}

function unquote(value: string): string {
  return value.charCodeAt(0) === 34 ? value.slice(1, -1) : value
}

/** better-call decodes only values that contain "%", and keeps a value that fails to decode. */
function decode(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
