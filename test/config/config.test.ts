import { join, resolve } from 'node:path'
import t from 'tap'
import { type Config, ConfigError, parseConfig, readEnvironment } from '../../src/config/config.ts'

const CWD = '/srv/gateway'
const SECRET_32 = 'abcdefghijklmnopqrstuvwxyz012345'

type Env = Record<string, string | undefined>

/** The problems parseConfig reports for env, or [] when it accepts it. */
function problemsOf(env: Env): string[] {
  try {
    parseConfig(env, CWD)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

t.test('defaults: an empty environment is a working local gateway', async (t) => {
  const config = parseConfig({}, CWD)
  const expected: Config = {
    port: 3001,
    host: '127.0.0.1',
    publicUrl: 'http://localhost:3001',
    production: false,
    secureCookies: false,
    legacySessionCookiesUntil: undefined,
    secret: undefined,
    dataDir: '/srv/gateway/.data',
    database: { driver: 'pglite', url: undefined, neonWsProxy: undefined },
    apiUpstream: 'http://127.0.0.1:8000',
    docsUpstream: 'http://127.0.0.1:3000',
    authRequiredPaths: [],
    trustedOrigins: ['http://localhost:3001'],
    trustProxy: false,
    metricsToken: undefined,
    redisUrl: undefined,
    metricsPort: undefined,
    logLevel: 'info',
    upstreamTimeoutMs: 30000,
    upstreamIdleTimeoutMs: 300000,
    requestBodyIdleTimeoutMs: 60000,
    sessionCacheTtlMs: 5000,
    assertion: {
      enabled: true,
      audience: 'http://localhost:3001',
      lifetimeSeconds: 300,
      keyRotationHours: 720,
    },
    appName: 'Auth Gateway',
    workers: 1,
  }
  t.strictSame(config, expected)
  t.equal(
    config.dataDir,
    resolve(CWD, '.data'),
    'DATA_DIR resolved against the cwd argument, not process.cwd()',
  )
  t.not(parseConfig({}, '/elsewhere').dataDir, config.dataDir, 'a different cwd gives a different dataDir')
  t.strictSame(parseConfig({ PORT: '', HOST: '   ' }, CWD), expected, 'empty and blank values count as unset')
})

t.test('the identity assertion: audience follows PUBLIC_URL unless set; bounds are enforced', async (t) => {
  t.equal(
    parseConfig({ PUBLIC_URL: 'https://gw.example.com' }, CWD).assertion.audience,
    'https://gw.example.com',
  )
  const custom = parseConfig(
    {
      ASSERTION_AUDIENCE: 'api://orders',
      ASSERTION_TTL_SECONDS: '60',
      ASSERTION_KEY_ROTATION_HOURS: '24',
      IDENTITY_ASSERTION: 'off',
    },
    CWD,
  ).assertion
  t.strictSame(custom, {
    enabled: false,
    audience: 'api://orders',
    lifetimeSeconds: 60,
    keyRotationHours: 24,
  })
  const rows: { name: string; env: Env; problem: RegExp }[] = [
    { name: 'lifetime under 30 s', env: { ASSERTION_TTL_SECONDS: '5' }, problem: /ASSERTION_TTL_SECONDS/ },
    {
      name: 'lifetime over an hour',
      env: { ASSERTION_TTL_SECONDS: '7200' },
      problem: /ASSERTION_TTL_SECONDS/,
    },
    { name: 'lifetime not a number', env: { ASSERTION_TTL_SECONDS: '5m' }, problem: /ASSERTION_TTL_SECONDS/ },
    {
      name: 'rotation of zero hours',
      env: { ASSERTION_KEY_ROTATION_HOURS: '0' },
      problem: /ASSERTION_KEY_ROTATION_HOURS/,
    },
    {
      name: 'switch spelled yes',
      env: { IDENTITY_ASSERTION: 'yes' },
      problem: /IDENTITY_ASSERTION must be on or off/,
    },
  ]
  for (const row of rows) t.match(problemsOf(row.env), [row.problem], row.name)
})

t.test('LEGACY_SESSION_COOKIES_UNTIL: an opt-in window of at most 30 days, on https only', async (t) => {
  const now = Date.parse('2026-11-30T12:00:00Z')
  const https = { PUBLIC_URL: 'https://gw.example.com' }
  const parse = (value: string, env: Env = https) =>
    parseConfig({ ...env, LEGACY_SESSION_COOKIES_UNTIL: value }, CWD, now)
  t.equal(parseConfig(https, CWD, now).legacySessionCookiesUntil, undefined, 'unset: the window is closed')
  t.equal(parse('2026-12-14').legacySessionCookiesUntil, Date.parse('2026-12-14'), 'a date: its midnight UTC')
  t.equal(
    parse('2026-12-14T18:30:00+01:00').legacySessionCookiesUntil,
    Date.parse('2026-12-14T17:30:00Z'),
    'a date-time with its offset',
  )
  t.equal(
    parse('2026-12-30T12:00:00Z').legacySessionCookiesUntil,
    now + 30 * 86_400_000,
    'exactly 30 days ahead',
  )
  t.equal(
    parse('2026-11-01').legacySessionCookiesUntil,
    Date.parse('2026-11-01'),
    'a past date: closed, not an error',
  )
  const refusals = [
    { name: 'not a date', value: 'next week', problem: /must be an ISO 8601 date/ },
    { name: 'a number', value: '1767225600000', problem: /must be an ISO 8601 date/ },
    { name: 'an impossible date', value: '2026-13-45', problem: /must be an ISO 8601 date/ },
    { name: 'more than 30 days ahead', value: '2026-12-31T12:00:01Z', problem: /at most 30 days ahead/ },
    { name: 'years ahead', value: '2099-01-01', problem: /at most 30 days ahead/ },
  ]
  const problems = (value: string, env: Env = https) => {
    try {
      parse(value, env)
    } catch (err) {
      if (err instanceof ConfigError) return err.problems
      throw err
    }
    return []
  }
  for (const row of refusals) t.match(problems(row.value), [row.problem], row.name)
  t.match(
    problems('2026-12-14', {}),
    [/applies only when PUBLIC_URL is https/],
    'on http: refused, there is nothing to migrate',
  )
})

t.test('WORKERS: 1 by default, a number or auto (the cores), never more than one with PGlite', async (t) => {
  const PG = { DATABASE_URL: 'postgres://db.internal/gateway' }
  const workers = (env: Env, cores = 4) => parseConfig(env, CWD, Date.now(), cores).workers
  t.equal(workers(PG), 1, 'unset: one process')
  t.equal(workers({ ...PG, WORKERS: '3' }), 3)
  t.equal(workers({ ...PG, WORKERS: 'auto' }, 6), 6, 'auto: the cores Node may use')
  t.equal(workers({ ...PG, WORKERS: 'auto' }, 0), 1, 'auto: at least one')
  t.equal(workers({ WORKERS: '1' }), 1, 'one process is fine on PGlite')
  for (const raw of ['0', '-2', 'two', '1.5', '257', 'AUTO'])
    t.same(
      problemsOf({ ...PG, WORKERS: raw }),
      [`WORKERS must be an integer from 1 to 256, got "${raw}"`],
      raw,
    )
  for (const raw of ['2', 'auto'])
    t.same(
      problemsOf({ WORKERS: raw }),
      [
        `WORKERS=${raw} needs DATABASE_URL: the embedded database (PGlite) serves one process only; set DATABASE_URL (Postgres or Neon) or leave WORKERS at 1`,
      ],
      `${raw} with PGlite`,
    )
  t.same(problemsOf({ WORKERS: '2', PORT: 'x' }).length, 2, 'reported with every other problem')
})

t.test('DATA_DIR: relative values resolve against cwd, absolute values are kept', async (t) => {
  t.equal(parseConfig({ DATA_DIR: 'state/db' }, CWD).dataDir, '/srv/gateway/state/db')
  t.equal(parseConfig({ DATA_DIR: '../shared' }, CWD).dataDir, '/srv/shared')
  t.equal(parseConfig({ DATA_DIR: '/var/lib/gw' }, CWD).dataDir, '/var/lib/gw')
})

t.test('database driver selection', async (t) => {
  const rows: { name: string; env: Env; driver: Config['database']['driver']; url?: string }[] = [
    { name: 'no DATABASE_URL → embedded pglite', env: {}, driver: 'pglite' },
    {
      name: 'postgres:// → pg',
      env: { DATABASE_URL: 'postgres://u:p@db.example.com:5432/app' },
      driver: 'pg',
      url: 'postgres://u:p@db.example.com:5432/app',
    },
    {
      name: 'postgresql:// → pg',
      env: { DATABASE_URL: 'postgresql://u@db.example.com/app' },
      driver: 'pg',
      url: 'postgresql://u@db.example.com/app',
    },
    {
      name: 'host ending .neon.tech → neon',
      env: { DATABASE_URL: 'postgres://u:p@ep-cool-1.us-east-2.aws.neon.tech/app' },
      driver: 'neon',
      url: 'postgres://u:p@ep-cool-1.us-east-2.aws.neon.tech/app',
    },
    {
      name: 'host merely containing neon.tech is not neon',
      env: { DATABASE_URL: 'postgres://u@neon.tech.example.com/app' },
      driver: 'pg',
      url: 'postgres://u@neon.tech.example.com/app',
    },
    {
      name: 'host ending "neon.tech" without the dot is not neon',
      env: { DATABASE_URL: 'postgres://u@notneon.tech/app' },
      driver: 'pg',
      url: 'postgres://u@notneon.tech/app',
    },
    {
      name: 'DATABASE_DRIVER=neon overrides a non-neon host',
      env: { DATABASE_URL: 'postgres://u@db.example.com/app', DATABASE_DRIVER: 'neon' },
      driver: 'neon',
      url: 'postgres://u@db.example.com/app',
    },
    {
      name: 'DATABASE_DRIVER=pg overrides a neon host',
      env: { DATABASE_URL: 'postgres://u@ep-x.neon.tech/app', DATABASE_DRIVER: 'pg' },
      driver: 'pg',
      url: 'postgres://u@ep-x.neon.tech/app',
    },
    { name: 'DATABASE_DRIVER=pglite without URL', env: { DATABASE_DRIVER: 'pglite' }, driver: 'pglite' },
  ]
  for (const row of rows) {
    const { database } = parseConfig(row.env, CWD)
    t.strictSame(database, { driver: row.driver, url: row.url, neonWsProxy: undefined }, row.name)
  }
  t.equal(
    parseConfig({ DATABASE_URL: 'postgres://u@ep-x.neon.tech/app', NEON_WS_PROXY: 'localhost:5488/v1' }, CWD)
      .database.neonWsProxy,
    'localhost:5488/v1',
    'NEON_WS_PROXY is passed through',
  )
})

t.test('PUBLIC_URL', async (t) => {
  const https = parseConfig({ PUBLIC_URL: 'https://gw.example.com' }, CWD)
  t.equal(https.secureCookies, true, 'https PUBLIC_URL sets secureCookies')
  t.equal(https.publicUrl, 'https://gw.example.com')
  t.strictSame(https.trustedOrigins, ['https://gw.example.com'], 'publicUrl is a trusted origin')

  t.equal(parseConfig({ PUBLIC_URL: 'http://gw.example.com' }, CWD).secureCookies, false, 'http: no Secure')
  t.equal(
    parseConfig({ PUBLIC_URL: 'https://gw.example.com/' }, CWD).publicUrl,
    'https://gw.example.com',
    'a bare trailing slash is accepted and dropped',
  )
  t.equal(
    parseConfig({ PUBLIC_URL: 'https://GW.Example.com:443' }, CWD).publicUrl,
    'https://gw.example.com',
    'normalised to the origin browsers send',
  )
  t.strictSame(
    parseConfig(
      { PUBLIC_URL: 'https://gw.example.com', TRUSTED_ORIGINS: 'https://a.example, https://gw.example.com' },
      CWD,
    ).trustedOrigins,
    ['https://gw.example.com', 'https://a.example'],
    'TRUSTED_ORIGINS are added after publicUrl, without duplicates',
  )
})

t.test('AUTH_REQUIRED_PATHS parsing', async (t) => {
  t.strictSame(
    parseConfig({ AUTH_REQUIRED_PATHS: '/api/private/, /docs/internal//,/' }, CWD).authRequiredPaths,
    ['/api/private', '/docs/internal', '/'],
    'trailing slashes trimmed, a lone "/" kept, whitespace around items ignored',
  )
  t.strictSame(parseConfig({ AUTH_REQUIRED_PATHS: ' , ,' }, CWD).authRequiredPaths, [], 'empty items ignored')
  const bad: [string, string][] = [
    ['api/private', 'relative path'],
    ['https://gw.example.com/api', 'a URL, not a path'],
    ['/api?x=1', 'query in prefix'],
    ['/api#frag', 'fragment in prefix'],
  ]
  for (const [value, name] of bad) {
    t.strictSame(
      problemsOf({ AUTH_REQUIRED_PATHS: value }),
      [`AUTH_REQUIRED_PATHS: "${value}" must be a path starting with "/" (no query or fragment)`],
      `${name}: ${value} refused`,
    )
  }
})

t.test('TRUST_PROXY forms', async (t) => {
  const accepted: { value: string; expected: Config['trustProxy'] }[] = [
    { value: 'true', expected: true },
    { value: 'false', expected: false },
    { value: '0', expected: 0 },
    { value: '2', expected: 2 },
    { value: '127.0.0.1', expected: ['127.0.0.1'] },
    { value: '10.0.0.0/8, 192.168.1.1', expected: ['10.0.0.0/8', '192.168.1.1'] },
    { value: '::1,fd00::/8', expected: ['::1', 'fd00::/8'] },
    { value: 'loopback, uniquelocal,linklocal', expected: ['loopback', 'uniquelocal', 'linklocal'] },
  ]
  for (const { value, expected } of accepted) {
    t.strictSame(parseConfig({ TRUST_PROXY: value }, CWD).trustProxy, expected, `TRUST_PROXY=${value}`)
  }
  const garbage = ['banana', 'yes', 'TRUE', '-1', ',', '10.0.0.0/8, banana', 'localhost', '*']
  for (const value of garbage) {
    t.strictSame(
      problemsOf({ TRUST_PROXY: value }),
      [`TRUST_PROXY must be true, false, a hop count, or a comma list of addresses/CIDRs; bad: "${value}"`],
      `garbage TRUST_PROXY=${value} refused`,
    )
  }
})

// BUG: the address check is a character-class regex, so values that are not
// IP addresses at all pass parseConfig and only blow up later, inside
// proxy-addr (compileTrust, Fastify's trustProxy) with a TypeError at buildApp,
// outside the one-pass ConfigError report.
t.test('TRUST_PROXY entries that are not addresses are refused by parseConfig', async (t) => {
  const rows: [string, string][] = [
    ['300.1.1.1', 'IPv4 octet out of range'],
    ['10.0.0.0/33', 'IPv4 prefix longer than 32 bits'],
    ['dead.beef', 'hex word, not an address'],
    ['1.5', 'fractional hop count'],
  ]
  for (const [value, name] of rows) {
    t.strictSame(
      problemsOf({ TRUST_PROXY: value }),
      [`TRUST_PROXY must be true, false, a hop count, or a comma list of addresses/CIDRs; bad: "${value}"`],
      `${name}: TRUST_PROXY=${value} refused`,
    )
  }
})

t.test('single refusals, each with its exact message', async (t) => {
  const rows: { name: string; env: Env; problem: string }[] = [
    {
      name: "NODE_ENV=test (turns off Better Auth's CSRF/origin checks)",
      env: { NODE_ENV: 'test' },
      problem: "NODE_ENV=test disables Better Auth's origin and CSRF checks; unset it or use development",
    },
    {
      name: 'NODE_ENV=production without BETTER_AUTH_SECRET',
      env: { NODE_ENV: 'production' },
      problem: 'BETTER_AUTH_SECRET is required when NODE_ENV=production (try: openssl rand -base64 32)',
    },
    {
      name: 'NODE_ENV=production with a blank BETTER_AUTH_SECRET',
      env: { NODE_ENV: 'production', BETTER_AUTH_SECRET: '   ' },
      problem: 'BETTER_AUTH_SECRET is required when NODE_ENV=production (try: openssl rand -base64 32)',
    },
    {
      name: 'secret of 31 characters',
      env: { BETTER_AUTH_SECRET: SECRET_32.slice(1) },
      problem: 'BETTER_AUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32)',
    },
    {
      name: 'secret padded to 32 with whitespace (trimmed first)',
      env: { BETTER_AUTH_SECRET: `  ${SECRET_32.slice(2)}  ` },
      problem: 'BETTER_AUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32)',
    },
    {
      name: 'DATABASE_DRIVER=pg without DATABASE_URL',
      env: { DATABASE_DRIVER: 'pg' },
      problem: 'DATABASE_DRIVER=pg needs DATABASE_URL',
    },
    {
      name: 'DATABASE_DRIVER=neon without DATABASE_URL',
      env: { DATABASE_DRIVER: 'neon' },
      problem: 'DATABASE_DRIVER=neon needs DATABASE_URL',
    },
    {
      name: 'unknown DATABASE_DRIVER',
      env: { DATABASE_DRIVER: 'mysql' },
      problem: 'DATABASE_DRIVER must be pglite, pg or neon, got "mysql"',
    },
    {
      name: 'DATABASE_URL of another scheme',
      env: { DATABASE_URL: 'mysql://u@db.example.com/app' },
      problem: 'DATABASE_URL must start with postgres:// or postgresql://',
    },
    {
      name: 'DATABASE_URL that is not a URL',
      env: { DATABASE_URL: 'not a url' },
      problem: 'DATABASE_URL is not a valid URL',
    },
    {
      name: 'DATABASE_DRIVER=pglite with DATABASE_URL',
      env: { DATABASE_DRIVER: 'pglite', DATABASE_URL: 'postgres://u@db.example.com/app' },
      problem: 'DATABASE_DRIVER=pglite cannot be combined with DATABASE_URL',
    },
    {
      name: 'API upstream with a base path (would be silently ignored)',
      env: { API_UPSTREAM_URL: 'http://127.0.0.1:8000/v1' },
      problem: 'API_UPSTREAM_URL must be scheme://host:port only; the request path is forwarded unchanged',
    },
    {
      name: 'docs upstream with a query',
      env: { DOCS_UPSTREAM_URL: 'http://127.0.0.1:3000/?x=1' },
      problem: 'DOCS_UPSTREAM_URL must be scheme://host:port only; the request path is forwarded unchanged',
    },
    {
      name: 'upstream with credentials',
      env: { API_UPSTREAM_URL: 'http://user:pw@127.0.0.1:8000' },
      problem: 'API_UPSTREAM_URL must not contain credentials',
    },
    {
      name: 'upstream that is not http(s)',
      env: { API_UPSTREAM_URL: 'ftp://127.0.0.1' },
      problem: 'API_UPSTREAM_URL must be an http:// or https:// URL, got "ftp://127.0.0.1"',
    },
    {
      name: 'PUBLIC_URL with a path',
      env: { PUBLIC_URL: 'https://gw.example.com/app' },
      problem:
        'PUBLIC_URL must be an origin without path, query or fragment, got "https://gw.example.com/app"',
    },
    {
      name: 'PUBLIC_URL with a fragment',
      env: { PUBLIC_URL: 'https://gw.example.com#x' },
      problem: 'PUBLIC_URL must be an origin without path, query or fragment, got "https://gw.example.com#x"',
    },
    {
      name: 'PUBLIC_URL without a scheme',
      env: { PUBLIC_URL: 'gw.example.com' },
      problem: 'PUBLIC_URL is not a valid URL: "gw.example.com"',
    },
    {
      name: 'TRUSTED_ORIGINS entry with a path',
      env: { TRUSTED_ORIGINS: 'https://a.example/x' },
      problem: 'TRUSTED_ORIGINS must be an origin without path, query or fragment, got "https://a.example/x"',
    },
    {
      name: 'PORT out of range',
      env: { PORT: '65536' },
      problem: 'PORT must be an integer from 0 to 65535, got "65536"',
    },
    {
      name: 'PORT not a number',
      env: { PORT: '80a' },
      problem: 'PORT must be an integer from 0 to 65535, got "80a"',
    },
    {
      name: 'short METRICS_TOKEN',
      env: { METRICS_TOKEN: 'x'.repeat(15) },
      problem: 'METRICS_TOKEN must be at least 16 characters',
    },
    {
      name: 'REDIS_URL that is not a Redis URL',
      env: { REDIS_URL: 'http://127.0.0.1:6379' },
      problem: 'REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
    },
    {
      name: 'unknown LOG_LEVEL',
      env: { LOG_LEVEL: 'verbose' },
      problem: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    },
    {
      name: 'UPSTREAM_TIMEOUT_MS of zero',
      env: { UPSTREAM_TIMEOUT_MS: '0' },
      problem: 'UPSTREAM_TIMEOUT_MS must be an integer from 1 to 3600000, got "0"',
    },
    {
      name: 'UPSTREAM_IDLE_TIMEOUT_MS that is not a number',
      env: { UPSTREAM_IDLE_TIMEOUT_MS: '5m' },
      problem: 'UPSTREAM_IDLE_TIMEOUT_MS must be an integer from 1 to 86400000, got "5m"',
    },
    {
      name: 'APP_NAME of 61 characters',
      env: { APP_NAME: 'x'.repeat(61) },
      problem: 'APP_NAME must be at most 60 characters, got 61',
    },
    {
      name: 'APP_NAME of 61 code points, each two UTF-16 units',
      env: { APP_NAME: '😀'.repeat(61) },
      problem: 'APP_NAME must be at most 60 characters, got 61',
    },
    {
      name: 'APP_NAME with a newline inside (title and header injection)',
      env: { APP_NAME: 'Docs\nSet-Cookie: x=1' },
      problem: 'APP_NAME must not contain control or bidirectional-override characters',
    },
    {
      name: 'APP_NAME with NUL',
      env: { APP_NAME: 'Docs\u0000' },
      problem: 'APP_NAME must not contain control or bidirectional-override characters',
    },
    {
      name: 'APP_NAME with DEL',
      env: { APP_NAME: 'Docs\u007f' },
      problem: 'APP_NAME must not contain control or bidirectional-override characters',
    },
    {
      name: 'APP_NAME with a C1 control (U+0085, next line)',
      env: { APP_NAME: 'Docs\u0085Portal' },
      problem: 'APP_NAME must not contain control or bidirectional-override characters',
    },
    {
      name: 'APP_NAME with a right-to-left override (reads as another name)',
      env: { APP_NAME: 'Acme \u202eladroP' },
      problem: 'APP_NAME must not contain control or bidirectional-override characters',
    },
  ]
  for (const row of rows) t.strictSame(problemsOf(row.env), [row.problem], row.name)
})

t.test('values on the accepting side of each refusal', async (t) => {
  const production = parseConfig({ NODE_ENV: 'production', BETTER_AUTH_SECRET: SECRET_32 }, CWD)
  t.equal(production.publicUrl, 'http://localhost:3001', 'NODE_ENV=production parses with a secret')
  t.equal(production.secret, SECRET_32, 'a 32-character secret is accepted')
  t.equal(
    parseConfig({ NODE_ENV: 'development' }, CWD).secret,
    undefined,
    'outside production the secret may come later',
  )
  t.equal(parseConfig({ PORT: '0' }, CWD).port, 0)
  t.equal(parseConfig({ PORT: '65535' }, CWD).port, 65535)
  t.equal(parseConfig({ METRICS_PORT: '9464' }, CWD).metricsPort, 9464)
  t.equal(parseConfig({ METRICS_TOKEN: 'x'.repeat(16) }, CWD).metricsToken, 'x'.repeat(16))
  t.equal(
    parseConfig({ REDIS_URL: 'rediss://cache.internal:6380/0' }, CWD).redisUrl,
    'rediss://cache.internal:6380/0',
  )
  t.equal(
    parseConfig({ API_UPSTREAM_URL: 'https://api.internal:8443/' }, CWD).apiUpstream,
    'https://api.internal:8443',
  )
  t.equal(parseConfig({ UPSTREAM_TIMEOUT_MS: '3600000' }, CWD).upstreamTimeoutMs, 3_600_000)
  t.equal(parseConfig({ UPSTREAM_IDLE_TIMEOUT_MS: '86400000' }, CWD).upstreamIdleTimeoutMs, 86_400_000)
  t.equal(parseConfig({ APP_NAME: 'x'.repeat(60) }, CWD).appName, 'x'.repeat(60), 'APP_NAME of 60 characters')
  t.equal(parseConfig({ APP_NAME: '  Acme Docs  ' }, CWD).appName, 'Acme Docs', 'APP_NAME is trimmed')
  t.equal(parseConfig({ APP_NAME: '   ' }, CWD).appName, 'Auth Gateway', 'a blank APP_NAME is unset')
  t.equal(
    parseConfig({ APP_NAME: 'Zoë & <Friends> "Docs" – 日本' }, CWD).appName,
    'Zoë & <Friends> "Docs" – 日本',
    'markup characters and any script are kept as text (the pages escape them)',
  )
})

t.test('one ConfigError lists every problem at once', async (t) => {
  const env: Env = {
    PORT: 'eighty',
    METRICS_PORT: '70000',
    NODE_ENV: 'test',
    PUBLIC_URL: 'https://gw.example.com/app',
    BETTER_AUTH_SECRET: 'short',
    DATABASE_DRIVER: 'pg',
    API_UPSTREAM_URL: 'http://127.0.0.1:8000/v1',
    DOCS_UPSTREAM_URL: 'nope',
    AUTH_REQUIRED_PATHS: 'api/private',
    TRUSTED_ORIGINS: 'https://a.example/x',
    TRUST_PROXY: 'banana',
    METRICS_TOKEN: 'tiny',
    LOG_LEVEL: 'loud',
    UPSTREAM_TIMEOUT_MS: '-5',
    APP_NAME: 'tab\there',
  }
  const names = Object.keys(env)
  let error: unknown
  try {
    parseConfig(env, CWD)
  } catch (err) {
    error = err
  }
  t.type(error, ConfigError)
  if (!(error instanceof ConfigError)) return
  t.equal(error.name, 'ConfigError')
  // NODE_ENV's problem names NODE_ENV; DATABASE_DRIVER's names DATABASE_DRIVER and DATABASE_URL.
  t.equal(error.problems.length, names.length, 'one problem per bad variable')
  for (const name of names) {
    // Whole-word match: PORT must not be satisfied by METRICS_PORT.
    const word = new RegExp(`(^|[^A-Z_])${name}([^A-Z_]|$)`)
    t.equal(error.problems.filter((p) => word.test(p)).length, 1, `exactly one problem names ${name}`)
  }
  t.match(error.message, /^invalid configuration:\n {2}- /)
  t.equal(error.message.split('\n').length, names.length + 1, 'one line per problem after the header')
})

t.test('readEnvironment: the real environment wins over .env', async (t) => {
  const dir = t.testdir({
    '.env': 'PORT=4000\nHOST=0.0.0.0\nLOG_LEVEL=debug\n# a comment\nQUOTED="a b"\n',
  })
  const envFile = join(dir, '.env')
  const merged = readEnvironment({ PORT: '5000', OTHER: 'x' }, envFile)
  t.equal(merged.PORT, '5000', 'real env beats .env')
  t.equal(merged.HOST, '0.0.0.0', '.env fills what the real env lacks')
  t.equal(merged.LOG_LEVEL, 'debug')
  t.equal(merged.QUOTED, 'a b', 'dotenv quoting understood')
  t.equal(merged.OTHER, 'x', 'real-only variables kept')
  t.equal(parseConfig(merged, dir).port, 5000, 'and parseConfig sees the winner')

  const real = { PORT: '1' }
  t.equal(readEnvironment(real, join(dir, 'missing.env')), real, 'no .env file: the environment as given')
})
