// When the demo (and the browser suite) installs or rebuilds the docs site:
// a table of site states, each with the steps it needs.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { type DocsSiteStep, staleSteps } from '../../../scripts/demo/docs-site.ts'

/** Builds a site whose files have these ages (seconds ago); undefined: absent. */
function site(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-docs-site-'))
  const now = Date.now() / 1000
  for (const [path, age] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), '')
    utimesSync(join(dir, path), now - age, now - age)
  }
  return dir
}

const INSTALLED = {
  'package-lock.json': 100,
  'node_modules/.bin/docusaurus': 90,
  'node_modules/.package-lock.json': 90,
}
const BUILT = { 'build/index.html': 50, 'build/private/index.html': 40 }

const CASES: [string, Record<string, number>, DocsSiteStep[]][] = [
  ['a fresh clone', { 'package-lock.json': 100, 'docs/intro.md': 100 }, ['install', 'build']],
  ['installed, never built', { ...INSTALLED, 'docs/intro.md': 100 }, ['build']],
  ['installed and built after every source', { ...INSTALLED, ...BUILT, 'docs/intro.md': 100 }, []],
  ['a page edited after the build', { ...INSTALLED, ...BUILT, 'docs/intro.md': 10 }, ['build']],
  ['a page edited between the two builds', { ...INSTALLED, ...BUILT, 'private/runbook.md': 45 }, ['build']],
  [
    'a new lockfile (git pull): install, then build',
    { ...INSTALLED, ...BUILT, 'package-lock.json': 5 },
    ['install', 'build'],
  ],
  ['the private build missing', { ...INSTALLED, 'build/index.html': 50, 'docs/intro.md': 100 }, ['build']],
  [
    'npm never finished (no hidden lockfile)',
    { 'package-lock.json': 100, 'node_modules/.bin/docusaurus': 90, ...BUILT },
    ['install', 'build'],
  ],
  [
    'only generated files changed (node_modules, build, .docusaurus, dotfiles)',
    {
      ...INSTALLED,
      ...BUILT,
      'docs/intro.md': 100,
      'node_modules/x/y.js': 1,
      'build/sitemap.xml': 1,
      '.docusaurus/z.json': 1,
      '.eslintcache': 1,
    },
    [],
  ],
]

for (const [name, files, expected] of CASES) {
  t.test(name, async (t) => {
    const dir = site(files)
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    t.same(staleSteps(dir), expected)
  })
}
