// The rooms' import rules (biome.jsonc, docs/architecture.md) are only worth
// something if `npm run lint` fails when one is broken. Each row plants one
// file in a scratch tree that carries the real biome.jsonc and runs Biome there.
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

const ROOT = new URL('..', import.meta.url).pathname
const BIOME = join(ROOT, 'node_modules/.bin/biome')
const run = promisify(execFile)

interface Row {
  name: string
  file: string
  source: string
  /** The rule that must fail the lint, or null when the file must pass. */
  rule: string | null
}

const rows: Row[] = [
  {
    name: 'redis/ imports session/',
    file: 'src/redis/x.ts',
    source: "import { SessionCache } from '../session/cache.ts'\nexport const x = SessionCache\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'config/ imports redis/',
    file: 'src/config/x.ts',
    source: "import { connectRedis } from '../redis/connection.ts'\nexport const x = connectRedis\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'session/ uses redis/ (allowed)',
    file: 'src/session/x.ts',
    source: "import type { RedisLink } from '../redis/connection.ts'\nexport type X = RedisLink\n",
    rule: null,
  },
  {
    name: 'metrics/ imports session/',
    file: 'src/metrics/x.ts',
    source: "import { SessionCache } from '../session/cache.ts'\nexport const x = SessionCache\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'http/ imports metrics/',
    file: 'src/http/x.ts',
    source: "import { RequestCounts } from '../metrics/request-counts.ts'\nexport const x = RequestCounts\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'allowed: proxy/ counts into metrics/',
    file: 'src/proxy/x.ts',
    source: "import { RequestCounts } from '../metrics/request-counts.ts'\nexport const x = RequestCounts\n",
    rule: null,
  },
  {
    name: 'proxy/ imports auth/',
    file: 'src/proxy/x.ts',
    source: "import { createAuth } from '../auth/better-auth.ts'\nexport const x = createAuth\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'http/ imports config/',
    file: 'src/http/x.ts',
    source: "import type { Config } from '../config/config.ts'\nexport type X = Config\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'http/ imports db/',
    file: 'src/http/x.ts',
    source: "import type { Db } from '../../db/client.ts'\nexport type X = Db\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'config/ imports auth/',
    file: 'src/config/x.ts',
    source: "import { AUTH_BASE_PATH } from '../auth/better-auth.ts'\nexport const x = AUTH_BASE_PATH\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'config/ imports the composition',
    file: 'src/config/x.ts',
    source: "import { buildApp } from '../app.ts'\nexport const x = buildApp\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'auth/ imports session/',
    file: 'src/auth/x.ts',
    source: "import { SessionCache } from '../session/cache.ts'\nexport const x = SessionCache\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'auth/ imports routes/',
    file: 'src/auth/x.ts',
    source: "import pages from '../../routes/pages/index.ts'\nexport const x = pages\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'auth/password/ imports the rest of auth/',
    file: 'src/auth/password/x.ts',
    source: "import { safeReturnTo } from '../redirects.ts'\nexport const x = safeReturnTo\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'session/ imports an auth/ internal',
    file: 'src/session/x.ts',
    source:
      "import { AccountThrottle } from '../auth/account-throttle.ts'\nexport const x = AccountThrottle\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'session/ imports proxy/',
    file: 'src/session/x.ts',
    source:
      "import { isAuthCookieName } from '../proxy/auth-cookies.ts'\nexport const x = isAuthCookieName\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'an unused variable',
    file: 'src/proxy/x.ts',
    source: 'export function f() {\n  const unused = 1\n  return 2\n}\n',
    rule: 'noUnusedVariables',
  },
  {
    name: 'an unused import',
    file: 'src/proxy/x.ts',
    source: "import { join } from 'node:path'\nexport const x = 1\n",
    rule: 'noUnusedImports',
  },
  {
    name: 'auth/password/ imports a guard',
    file: 'src/auth/password/x.ts',
    source: "import type { Guard } from '../guards/call.ts'\nexport type X = Guard\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'auth/password/ imports auth/ spelled ./../',
    file: 'src/auth/password/x.ts',
    source: "import { safeReturnTo } from './../redirects.ts'\nexport const x = safeReturnTo\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'auth/password/ imports auth/ spelled ../../auth/',
    file: 'src/auth/password/x.ts',
    source: "import { AUTH_BASE_PATH } from '../../auth/better-auth.ts'\nexport const x = AUTH_BASE_PATH\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'proxy/ imports db/',
    file: 'src/proxy/x.ts',
    source: "import type { Db } from '../../db/client.ts'\nexport type X = Db\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'db/ imports session/',
    file: 'db/x.ts',
    source: "import { SessionCache } from '../src/session/cache.ts'\nexport const x = SessionCache\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'assertion/ imports session/',
    file: 'src/assertion/x.ts',
    source: "import { SessionCache } from '../session/cache.ts'\nexport const x = SessionCache\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'assertion/ imports auth/',
    file: 'src/assertion/x.ts',
    source: "import { AUTH_BASE_PATH } from '../auth/better-auth.ts'\nexport const x = AUTH_BASE_PATH\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'proxy/ imports assertion/ (the minter reaches it only through session/)',
    file: 'src/proxy/x.ts',
    source: "import { AssertionMinter } from '../assertion/minter.ts'\nexport const x = AssertionMinter\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'db/ imports assertion/',
    file: 'db/x.ts',
    source: "import { KeyRing } from '../src/assertion/key-ring.ts'\nexport const x = KeyRing\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'cluster/ imports session/',
    file: 'src/cluster/x.ts',
    source: "import { SessionCache } from '../session/cache.ts'\nexport const x = SessionCache\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'cluster/ imports app.ts (server.ts composes it, not the reverse)',
    file: 'src/cluster/x.ts',
    source: "import { buildApp } from '../app.ts'\nexport const x = buildApp\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'cluster/ imports db/',
    file: 'src/cluster/x.ts',
    source: "import { openDatabase } from '../../db/client.ts'\nexport const x = openDatabase\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'auth/ imports cluster/ (it sees the shared state only as app.sharedState)',
    file: 'src/auth/x.ts',
    source:
      "import { MemoryCounters } from '../cluster/memory-counters.ts'\nexport const x = MemoryCounters\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'session/ imports cluster/',
    file: 'src/session/x.ts',
    source: "import { Hub } from '../cluster/hub.ts'\nexport const x = Hub\n",
    rule: 'noRestrictedImports',
  },
  {
    name: 'redis/ imports cluster/',
    file: 'src/redis/x.ts',
    source: "import { Hub } from '../cluster/hub.ts'\nexport const x = Hub\n",
    rule: 'noRestrictedImports',
  },
  // The rows above must fail for the planted reason, not for any file at all:
  {
    name: 'allowed: cluster/ uses redis/ (the SharedState it implements), config/ and http/',
    file: 'src/cluster/x.ts',
    source:
      "import type { Config } from '../config/config.ts'\nimport { BadFraming } from '../http/errors.ts'\nimport type { SharedState } from '../redis/shared-state.ts'\nexport const x = BadFraming\nexport type X = [Config, SharedState]\n",
    rule: null,
  },
  {
    name: 'allowed: auth/password/ uses itself, http/ and config/',
    file: 'src/auth/password/x.ts',
    source:
      "import type { Config } from '../../config/config.ts'\nimport { AuthBusy } from '../../http/errors.ts'\nimport { PasswordAdmission } from '../password/admission.ts'\nimport { createPasswordHasher } from './hashing.ts'\n\nexport const x = [AuthBusy, createPasswordHasher, PasswordAdmission]\nexport type X = Config\n",
    rule: null,
  },
  {
    name: 'allowed: db/ uses config/',
    file: 'db/x.ts',
    source: "import type { Config } from '../src/config/config.ts'\nexport type X = Config\n",
    rule: null,
  },
  {
    name: 'allowed: session/ uses auth/better-auth.ts',
    file: 'src/session/x.ts',
    source: "import type { Auth } from '../auth/better-auth.ts'\nexport type X = Auth\n",
    rule: null,
  },
  {
    name: 'allowed: session/ uses assertion/',
    file: 'src/session/x.ts',
    source: "import { AssertionMinter } from '../assertion/minter.ts'\nexport const x = AssertionMinter\n",
    rule: null,
  },
  {
    name: 'allowed: assertion/ uses db/',
    file: 'src/assertion/x.ts',
    source: "import type { Db } from '../../db/client.ts'\nexport type X = Db\n",
    rule: null,
  },
  {
    name: 'allowed: proxy/ uses session/',
    file: 'src/proxy/x.ts',
    source: "import { SessionCache } from '../session/cache.ts'\nexport const x = SessionCache\n",
    rule: null,
  },
  {
    name: 'allowed: auth/ uses auth/password/',
    file: 'src/auth/x.ts',
    source:
      "import { PasswordAdmission } from './password/admission.ts'\nexport const x = PasswordAdmission\n",
    rule: null,
  },
  {
    name: 'allowed: routes/ use anything',
    file: 'routes/x/index.ts',
    source: "import { createAuth } from '../../src/auth/better-auth.ts'\nexport const x = createAuth\n",
    rule: null,
  },
]

for (const row of rows) {
  t.test(row.name, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-lint-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    await copyFile(join(ROOT, 'biome.jsonc'), join(dir, 'biome.jsonc'))
    await mkdir(dirname(join(dir, row.file)), { recursive: true })
    await writeFile(join(dir, row.file), row.source)
    const outcome = await run(BIOME, ['lint', '--error-on-warnings', '--max-diagnostics=50', row.file], {
      cwd: dir,
    }).then(
      () => ({ failed: false, output: '' }),
      (err: { stdout: string; stderr: string }) => ({ failed: true, output: `${err.stdout}${err.stderr}` }),
    )
    if (row.rule === null) {
      t.notOk(outcome.failed, `lint passes${outcome.failed ? `:\n${outcome.output}` : ''}`)
    } else {
      t.ok(outcome.failed, 'lint fails')
      t.match(outcome.output, `lint/`, 'with a lint diagnostic')
      t.match(outcome.output, row.rule, `from ${row.rule}`)
    }
  })
}
