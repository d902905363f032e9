// The gateway owns a namespace of request headers that backends treat as
// identity. Anything a client sends in that namespace is dropped before the
// gateway adds its own values, so the backend can trust what it receives.

export interface Identity {
  userId: string
  email: string
  name: string
}

// Backends fold header names in different ways: WSGI/CGI turn `-` into `_`
// and upper-case everything, some frameworks accept `.`; so X_User_Id or
// x.user.id may arrive at the app as X-User-Id. Canonicalise before matching.
const OWNED_PREFIXES = ['x-user-', 'x-auth-']
const OWNED_NAMES = new Set([
  'x-user',
  'x-auth',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'x-remote-user',
  'x-remote-email',
  'x-remote-name',
  'x-remote-groups',
  'remote-user',
  'remote-email',
  'remote-name',
  'remote-groups',
])

export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase()
  // Most names have neither character: no new string for them.
  return lower.includes('_') || lower.includes('.') ? lower.replace(/[_.]/g, '-') : lower
}

/** True for every spelling of a header in the gateway's identity namespace. */
export function isIdentityHeader(name: string): boolean {
  const canonical = canonicalHeaderName(name)
  if (OWNED_NAMES.has(canonical)) return true
  for (const prefix of OWNED_PREFIXES) if (canonical.startsWith(prefix)) return true
  return false
}

/**
 * The headers the upstream receives for a signed-in user (X-User-Assertion,
 * minted elsewhere, is added beside them). Values go through
 * encodeHeaderValue, so `u@example.com` arrives as is and `Zoë` as `Zo%C3%AB`.
 */
export function identityHeaders(identity: Identity): Record<string, string> {
  return {
    'x-user-id': encodeHeaderValue(identity.userId),
    'x-user-email': encodeHeaderValue(identity.email),
    'x-user-name': encodeHeaderValue(identity.name),
  }
}

// Printable ASCII other than `%`, with no space at either end: a header
// carries these unchanged and unambiguously.
const PLAIN = /^(?:[\x21-\x24\x26-\x7e](?:[\x20-\x24\x26-\x7e]*[\x21-\x24\x26-\x7e])?)?$/

/**
 * A header value a backend can read as is and decode without surprises:
 * printable ASCII is kept, and everything a header cannot carry safely is
 * percent-encoded as UTF-8 bytes: non-ASCII, control characters (CR/LF would
 * split the header block), `%` itself (so decoding is unambiguous) and spaces
 * at either end (which HTTP strips). Python's `urllib.parse.unquote` and JS's
 * `decodeURIComponent` both restore the original. A lone surrogate, which
 * UTF-8 cannot carry, becomes U+FFFD rather than an error.
 */
export function encodeHeaderValue(value: string): string {
  if (PLAIN.test(value)) return value
  const bytes = Buffer.from(value, 'utf8')
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number
    const edgeSpace = byte === 0x20 && (i === 0 || i === bytes.length - 1)
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x25
        ? String.fromCharCode(byte)
        : byte === 0x20 && !edgeSpace
          ? ' '
          : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
