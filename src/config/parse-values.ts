// Parsers for single environment values. Each reports what is wrong with its
// value into `problems` and returns a placeholder, so parseConfig can go on
// and report every problem at once.
import proxyAddr from 'proxy-addr'
import type { TrustProxy } from '../http/trust-proxy.ts'
import type { Config, DatabaseDriver } from './config.ts'

export function splitList(value: string | undefined): string[] {
  if (value === undefined) return []
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

export function parseInteger(
  raw: string,
  name: string,
  min: number,
  max: number,
  problems: string[],
): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
    return min
  }
  return value
}

/** What APP_NAME is when unset: neutral, as the gateway fronts someone else's product. */
export const DEFAULT_APP_NAME = 'Auth Gateway'
const APP_NAME_MAX = 60
// C0/C1 controls would break the <title> and logs; bidirectional overrides and
// isolates can make a name read differently from what it is (a spoofing aid).
const NAME_FORBIDDEN = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u

/**
 * APP_NAME, already trimmed (undefined: unset or blank), shown on every page.
 * At most 60 characters (code points), so it fits a title bar and a header;
 * no control or bidirectional-override characters.
 */
export function parseAppName(raw: string | undefined, problems: string[]): string {
  if (raw === undefined) return DEFAULT_APP_NAME
  const length = [...raw].length
  if (length > APP_NAME_MAX) {
    problems.push(`APP_NAME must be at most ${APP_NAME_MAX} characters, got ${length}`)
    return DEFAULT_APP_NAME
  }
  if (NAME_FORBIDDEN.test(raw)) {
    problems.push('APP_NAME must not contain control or bidirectional-override characters')
    return DEFAULT_APP_NAME
  }
  return raw
}

export function parsePort(raw: string, name: string, problems: string[]): number {
  return parseInteger(raw, name, 0, 65535, problems)
}

function parseHttpUrl(raw: string, name: string, problems: string[]): URL | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    problems.push(`${name} is not a valid URL: "${raw}"`)
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must be an http:// or https:// URL, got "${raw}"`)
    return undefined
  }
  if (url.username !== '' || url.password !== '') {
    problems.push(`${name} must not contain credentials`)
    return undefined
  }
  return url
}

/** An origin: scheme, host and port only. Paths would silently be ignored by browsers' Origin. */
export function parseOrigin(raw: string, name: string, problems: string[]): string {
  const url = parseHttpUrl(raw, name, problems)
  if (url === undefined) return raw
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    problems.push(`${name} must be an origin without path, query or fragment, got "${raw}"`)
  }
  return url.origin
}

export function parseUpstream(raw: string, name: string, problems: string[]): string {
  const url = parseHttpUrl(raw, name, problems)
  if (url === undefined) return raw
  // The path is forwarded unchanged (/api/x arrives as /api/x), so a base path
  // on the upstream URL would be a silent misconfiguration.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    problems.push(`${name} must be scheme://host:port only; the request path is forwarded unchanged`)
  }
  return url.origin
}

export function parseDatabase(
  url: string | undefined,
  driver: string | undefined,
  neonWsProxy: string | undefined,
  problems: string[],
): Config['database'] {
  if (driver !== undefined && !['pglite', 'pg', 'neon'].includes(driver)) {
    problems.push(`DATABASE_DRIVER must be pglite, pg or neon, got "${driver}"`)
  }
  if (url === undefined) {
    if (driver === 'pg' || driver === 'neon') problems.push(`DATABASE_DRIVER=${driver} needs DATABASE_URL`)
    return { driver: 'pglite', url: undefined, neonWsProxy }
  }
  let host = ''
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      problems.push('DATABASE_URL must start with postgres:// or postgresql://')
    }
    host = parsed.hostname
  } catch {
    problems.push('DATABASE_URL is not a valid URL')
  }
  if (driver === 'pglite') problems.push('DATABASE_DRIVER=pglite cannot be combined with DATABASE_URL')
  const chosen: DatabaseDriver =
    driver === 'neon' || driver === 'pg' ? driver : host.endsWith('.neon.tech') ? 'neon' : 'pg'
  return { driver: chosen, url, neonWsProxy }
}

/** Same forms Fastify's trustProxy accepts: a boolean, a hop count, or addresses/CIDRs. */
export function parseTrustProxy(raw: string, problems: string[]): TrustProxy {
  if (raw === 'true') return true
  if (raw === 'false') return false
  if (/^\d+$/.test(raw)) return Number(raw)
  const entries = splitList(raw)
  try {
    if (entries.length === 0) throw new Error('empty list')
    // The parser Fastify itself uses, so what passes here cannot fail later.
    proxyAddr.compile(entries)
  } catch {
    problems.push(
      `TRUST_PROXY must be true, false, a hop count, or a comma list of addresses/CIDRs; bad: "${raw}"`,
    )
  }
  return entries
}

/** Most worker processes WORKERS may ask for: beyond any box's cores, so a typo is caught. */
export const MAX_WORKERS = 256

/**
 * WORKERS: an integer from 1 to MAX_WORKERS, or `auto` (`cores`), default 1.
 * More than one process needs a database other processes can reach: PGlite
 * lives inside one process and its files take one opener, so `auto` and any
 * number above 1 are refused with it.
 */
export function parseWorkers(
  raw: string | undefined,
  driver: DatabaseDriver,
  cores: number,
  problems: string[],
): number {
  if (raw === undefined) return 1
  const workers = raw === 'auto' ? Math.max(1, cores) : parseInteger(raw, 'WORKERS', 1, MAX_WORKERS, problems)
  // `auto` too, though one core would make it 1: the same setting must not start on one box and not another.
  if ((raw === 'auto' || workers > 1) && driver === 'pglite') {
    problems.push(
      `WORKERS=${raw} needs DATABASE_URL: the embedded database (PGlite) serves one process only; set DATABASE_URL (Postgres or Neon) or leave WORKERS at 1`,
    )
  }
  return workers
}
