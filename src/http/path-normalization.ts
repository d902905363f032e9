// The form a request path is judged in by the path policy: the most-decoded,
// most-normalised spelling a backend could plausibly see, so no spelling reads
// as public here and protected there. Spellings whose meaning depends on who
// normalises them are refused outright (SECURITY.md, class 2; oauth2-proxy
// GHSA-pxq7-h93f-9jrg, GHSA-7rh7-c77v-6434; reply-from GHSA-2q7r-29rg-6m5h).

export type PolicyPath = { ok: true; path: string } | { ok: false; reason: string }

const MAX_DECODE_ROUNDS = 3
const ASCII = /^[\x00-\x7f]*$/
// Control characters (NUL included) have no business in a path and are how
// several parsers were tricked into truncating one.
const CONTROL = /[\u0000-\u001f\u007f]/

// The spelling nearly every request uses: one or more "/segment" of
// unreserved ASCII, a dot only between two such characters, at most a trailing
// slash. Nothing in it can decode, fold or resolve differently at another hop,
// so the full procedure below would only lower-case it and drop the trailing
// slash. Anything else (%, \, ;, //, a dot at a segment's edge, …) takes the
// full procedure.
const PLAIN = /^(?:\/[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*)+\/?$/

/** Normalises the path part of a request URL for policy; query and fragment are ignored. */
export function normalizePolicyPath(url: string): PolicyPath {
  let path = url
  const cut = path.search(/[?#]/)
  if (cut !== -1) path = path.slice(0, cut)
  if (PLAIN.test(path)) {
    const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
    return { ok: true, path: trimmed.toLowerCase() }
  }

  // Decode until stable: a double-encoded %252e must not hide a dot segment
  // from us that a decoding backend (or a second proxy) would act on.
  for (let round = 0; round < MAX_DECODE_ROUNDS && path.includes('%'); round++) {
    try {
      path = decodeURIComponent(path)
    } catch {
      return { ok: false, reason: 'malformed percent-encoding in path' }
    }
  }
  // Still decodable after that many rounds: no legitimate client does this.
  if (/%[0-9a-f]{2}/i.test(path)) return { ok: false, reason: 'path is percent-encoded too many times' }
  if (CONTROL.test(path)) return { ok: false, reason: 'control character in path' }
  // An encoded "?" or "#" becomes a query or fragment delimiter for a backend
  // that decodes before splitting ("/api/private%3F/x" → "/api/private").
  // Either reading could be the backend's, so refuse the ambiguity.
  if (path.includes('?') || path.includes('#')) return { ok: false, reason: 'encoded "?" or "#" in path' }

  // Windows-style and IIS-style servers treat "\" as a separator; some
  // frameworks apply Unicode compatibility normalisation, which turns a
  // fullwidth solidus (U+FF0F) into "/" and fullwidth letters into ASCII.
  // (NFKC is the identity on ASCII, so the common case skips it.)
  if (!ASCII.test(path)) path = path.normalize('NFKC')
  path = path.replace(/\\/g, '/')
  const segments: string[] = []
  for (const raw of path.split('/')) {
    // Matrix parameters (";jsessionid=…") are ignored by servlet-style routers.
    const semi = raw.indexOf(';')
    const withoutParams = semi === -1 ? raw : raw.slice(0, semi)
    // Browsers resolve dot segments before sending; only tools and attackers
    // send them, and whether "/docs/../api/x" reaches the docs or the API
    // depends on which hop resolves it. Refuse rather than guess.
    if (withoutParams === '.' || withoutParams === '..') return { ok: false, reason: 'dot segment in path' }
    // Windows file systems (and IIS) ignore trailing dots and spaces.
    const segment = withoutParams.replace(/[. ]+$/, '')
    if (segment === '') continue
    segments.push(segment)
  }
  // Case-insensitive: some backends (and file systems) are.
  return { ok: true, path: `/${segments.join('/')}`.toLowerCase() }
}
