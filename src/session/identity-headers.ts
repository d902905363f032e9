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
 * The headers the upstream receives for a signed-in user. Values are
 * percent-encoded UTF-8: header values are bytes, and a name like "Zoë" or one
 * containing CR/LF must neither be mangled nor split the header block.
 */
export function identityHeaders(identity: Identity): Record<string, string> {
  return {
    'x-user-id': encodeURIComponent(identity.userId),
    'x-user-email': encodeURIComponent(identity.email),
    'x-user-name': encodeURIComponent(identity.name),
  }
}
