// Reads and validates the environment once, at start-up. Nothing else in the
// gateway reads process.env: every module receives what it needs from Config.
// Like oauth2-proxy's pkg/validation, every problem is collected and reported
// together, so an operator fixes a bad deployment in one pass, not five.
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { normalizePolicyPath } from '../http/path-normalization.ts'
import type { TrustProxy } from '../http/trust-proxy.ts'
import { parseLegacyWindow } from './legacy-window.ts'
import {
  parseAppName,
  parseDatabase,
  parseInteger,
  parseOrigin,
  parsePort,
  parseTrustProxy,
  parseUpstream,
  parseWorkers,
  splitList,
} from './parse-values.ts'
import { MIN_SECRET_LENGTH } from './secret.ts'

export type DatabaseDriver = 'pglite' | 'pg' | 'neon'

export interface Config {
  port: number
  host: string
  /** The origin browsers use, without a trailing slash, e.g. `https://example.com`. */
  publicUrl: string
  /** NODE_ENV=production: error pages never name an upstream's address or how to start it. */
  production: boolean
  /** True when `publicUrl` is https: Secure cookies with the `__Host-` prefix. */
  secureCookies: boolean
  /**
   * End (epoch ms) of the window in which `__Secure-better-auth.*` cookies from
   * before the `__Host-` prefix are still read and moved over; undefined: never.
   */
  legacySessionCookiesUntil: number | undefined
  /** Undefined until start-up resolves it (see secret.ts); buildApp requires it. */
  secret: string | undefined
  dataDir: string
  database: { driver: DatabaseDriver; url: string | undefined; neonWsProxy: string | undefined }
  apiUpstream: string
  docsUpstream: string
  authRequiredPaths: string[]
  trustedOrigins: string[]
  trustProxy: TrustProxy
  metricsToken: string | undefined
  metricsPort: number | undefined
  logLevel: string
  /** Time to the upstream's response head (ms); then 504. */
  upstreamTimeoutMs: number
  /** A response body silent this long (ms) is ended: event streams and long downloads keep flowing. */
  upstreamIdleTimeoutMs: number
  /** A request body silent this long (ms) is cut off; one that keeps arriving may take as long as it needs. */
  requestBodyIdleTimeoutMs: number
  /** How long a validated session is trusted without asking the database; 0 disables the cache. */
  sessionCacheTtlMs: number
  /** X-User-Assertion (src/assertion/): the signed statement of who is calling. */
  assertion: AssertionConfig
  /** APP_NAME: the product name on the gateway's pages (titles and header). Plain text, not yet escaped. */
  appName: string
  /**
   * REDIS_URL (`redis://` or `rediss://`): what several instances share, such
   * as revocations (src/session/revocation-channel.ts); undefined: one instance.
   */
  redisUrl: string | undefined
  /**
   * WORKERS: how many node:cluster worker processes share the port (src/cluster/);
   * 1 is one process and no cluster at all. `auto` is resolved here, to the cores Node may use.
   */
  workers: number
}

export interface AssertionConfig {
  /** False only with IDENTITY_ASSERTION=off: no X-User-Assertion; the JWKS is still served. */
  enabled: boolean
  /** The `aud` claim; PUBLIC_URL unless ASSERTION_AUDIENCE says otherwise. */
  audience: string
  /** Seconds from `iat` to `exp`. */
  lifetimeSeconds: number
  /** How long one signing key signs before the next takes over, in hours. */
  keyRotationHours: number
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

type Env = Record<string, string | undefined>

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/**
 * Parses an environment into a Config, or throws one ConfigError listing every
 * problem. Pure: the caller decides where the environment comes from, and
 * `cores` is what `WORKERS=auto` becomes (os.availableParallelism() by default).
 */
export function parseConfig(
  env: Env,
  cwd = process.cwd(),
  now = Date.now(),
  cores = availableParallelism(),
): Config {
  const problems: string[] = []
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim()
    return value === '' ? undefined : value
  }
  /** The named variable as an integer in [min, max], `fallback` when unset. */
  const integer = (name: string, fallback: string, min: number, max: number): number =>
    parseInteger(get(name) ?? fallback, name, min, max, problems)

  const port = parsePort(get('PORT') ?? '3001', 'PORT', problems)
  const metricsPortRaw = get('METRICS_PORT')
  const metricsPort =
    metricsPortRaw === undefined ? undefined : parsePort(metricsPortRaw, 'METRICS_PORT', problems)

  const production = get('NODE_ENV') === 'production'
  // Better Auth silently turns off its origin/CSRF checks under NODE_ENV=test.
  // An auth gateway must never run that way, so refuse rather than warn.
  if (get('NODE_ENV') === 'test') {
    problems.push("NODE_ENV=test disables Better Auth's origin and CSRF checks; unset it or use development")
  }

  const publicUrl = parseOrigin(get('PUBLIC_URL') ?? 'http://localhost:3001', 'PUBLIC_URL', problems)

  const secret = get('BETTER_AUTH_SECRET')
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    problems.push(
      `BETTER_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`,
    )
  }
  if (secret === undefined && production) {
    problems.push('BETTER_AUTH_SECRET is required when NODE_ENV=production (try: openssl rand -base64 32)')
  }

  const dataDirRaw = get('DATA_DIR') ?? './.data'
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw)

  const database = parseDatabase(get('DATABASE_URL'), get('DATABASE_DRIVER'), get('NEON_WS_PROXY'), problems)

  const apiUpstream = parseUpstream(
    get('API_UPSTREAM_URL') ?? 'http://127.0.0.1:8000',
    'API_UPSTREAM_URL',
    problems,
  )
  const docsUpstream = parseUpstream(
    get('DOCS_UPSTREAM_URL') ?? 'http://127.0.0.1:3000',
    'DOCS_UPSTREAM_URL',
    problems,
  )

  const authRequiredPaths = splitList(get('AUTH_REQUIRED_PATHS')).map((prefix) => {
    const normalized = normalizePolicyPath(prefix)
    if (!prefix.startsWith('/') || prefix.includes('?') || prefix.includes('#')) {
      problems.push(
        `AUTH_REQUIRED_PATHS: "${prefix}" must be a path starting with "/" (no query or fragment)`,
      )
    } else if (!normalized.ok) {
      problems.push(`AUTH_REQUIRED_PATHS: "${prefix}": ${normalized.reason}`)
    }
    // A trailing slash is implied by the slash-boundary match in proxy/path-policy.ts.
    return prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix
  })

  const extraOrigins = splitList(get('TRUSTED_ORIGINS')).map((o) =>
    parseOrigin(o, 'TRUSTED_ORIGINS', problems),
  )
  const trustedOrigins = [...new Set([publicUrl, ...extraOrigins])]

  const trustProxy = parseTrustProxy(get('TRUST_PROXY') ?? 'false', problems)

  const metricsToken = get('METRICS_TOKEN')
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters')
  }

  const logLevel = get('LOG_LEVEL') ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  }

  const upstreamTimeoutMs = integer('UPSTREAM_TIMEOUT_MS', '30000', 1, 3_600_000)

  // Separate from the time to the head: an event stream may rightly stay
  // quiet for minutes between events, a slow backend's head must not.
  const upstreamIdleTimeoutMs = integer('UPSTREAM_IDLE_TIMEOUT_MS', '300000', 1, 86_400_000)

  const requestBodyIdleTimeoutMs = integer('REQUEST_BODY_IDLE_TIMEOUT_MS', '60000', 1, 3_600_000)

  const sessionCacheTtlMs = integer('SESSION_CACHE_TTL_MS', '5000', 0, 300_000)

  const legacySessionCookiesUntil = parseLegacyWindow(
    get('LEGACY_SESSION_COOKIES_UNTIL'),
    publicUrl.startsWith('https:'),
    now,
    problems,
  )

  const assertionSwitch = get('IDENTITY_ASSERTION') ?? 'on'
  if (assertionSwitch !== 'on' && assertionSwitch !== 'off')
    problems.push('IDENTITY_ASSERTION must be on or off')
  const assertion: AssertionConfig = {
    enabled: assertionSwitch !== 'off',
    audience: get('ASSERTION_AUDIENCE') ?? publicUrl,
    // At least 30 s: a verifier allows some clock skew, and the gateway reuses
    // an assertion for most of its life; at most an hour, as a stolen one lives that long.
    lifetimeSeconds: integer('ASSERTION_TTL_SECONDS', '300', 30, 3600),
    keyRotationHours: integer('ASSERTION_KEY_ROTATION_HOURS', '720', 1, 87_600),
  }

  const appName = parseAppName(get('APP_NAME'), problems)

  const redisUrl = get('REDIS_URL')
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(redisUrl))
    problems.push('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')

  const workers = parseWorkers(get('WORKERS'), database.driver, cores, problems)

  if (problems.length > 0) throw new ConfigError(problems)

  return {
    port,
    host: get('HOST') ?? '127.0.0.1',
    publicUrl,
    production,
    secureCookies: publicUrl.startsWith('https:'),
    legacySessionCookiesUntil,
    secret,
    dataDir,
    database,
    apiUpstream,
    docsUpstream,
    authRequiredPaths,
    trustedOrigins,
    trustProxy,
    metricsToken,
    metricsPort,
    logLevel,
    upstreamTimeoutMs,
    upstreamIdleTimeoutMs,
    requestBodyIdleTimeoutMs,
    sessionCacheTtlMs,
    assertion,
    appName,
    redisUrl,
    workers,
  }
}

/** Real environment wins over `.env`, as with every dotenv loader operators know. */
export function readEnvironment(env: Env = process.env, envFile = resolve(process.cwd(), '.env')): Env {
  if (!existsSync(envFile)) return env
  return { ...parseEnv(readFileSync(envFile, 'utf8')), ...env }
}
