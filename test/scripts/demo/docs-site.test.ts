// When the demo (and the browser suite) installs or rebuilds the docs site:
// a table of site states, each with the steps it needs. The fingerprint is
// the site's own script (examples/docs-site/scripts/source-fingerprint.mjs).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import t from 'tap'
import { DOCS_SITE, type DocsSiteStep, staleSteps } from '../../../scripts/demo/docs-site.ts'

const FINGERPRINT = join(DOCS_SITE, 'scripts', 'source-fingerprint.mjs')

function write(dir: string, path: string, content = '', ageSeconds = 100) {
  mkdirSync(dirname(join(dir, path)), { recursive: true })
  writeFileSync(join(dir, path), content)
  const then = Date.now() / 1000 - ageSeconds
  utimesSync(join(dir, path), then, then)
}

/** An installed site with a page, built successfully (stamped) for the default PUBLIC_URL. */
function builtSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-docs-site-'))
  write(dir, 'package-lock.json', '{}', 100)
  write(dir, 'node_modules/.bin/docusaurus', '', 90)
  write(dir, 'node_modules/.package-lock.json', '{}', 90)
  write(dir, 'docs/intro.md', '# Intro', 100)
  write(dir, 'build/index.html', '<html>', 50)
  write(dir, 'build/private/index.html', '<html>', 40)
  const { PUBLIC_URL: _, ...env } = process.env
  const stamped = spawnSync(process.execPath, [FINGERPRINT, '--write', dir], { env })
  if (stamped.status !== 0) throw new Error(String(stamped.stderr))
  return dir
}

const CASES: [string, (dir: string) => void, DocsSiteStep[], string?][] = [
  ['built after the last change', () => {}, []],
  ['a page edited since', (dir) => write(dir, 'docs/intro.md', '# Intro, edited', 100), ['build']],
  ['a page added since', (dir) => write(dir, 'private/runbook.md', '# Runbook', 100), ['build']],
  ['a page deleted since', (dir) => rmSync(join(dir, 'docs/intro.md')), ['build']],
  [
    'a page renamed since (same content, same time)',
    (dir) => renameSync(join(dir, 'docs/intro.md'), join(dir, 'docs/start.md')),
    ['build'],
  ],
  ['built for another PUBLIC_URL', () => {}, ['build'], 'http://localhost:3600'],
  [
    'the last build failed (the stamp is removed first, written last)',
    (dir) => rmSync(join(dir, '.build-fingerprint')),
    ['build'],
  ],
  ['never built', (dir) => rmSync(join(dir, 'build'), { recursive: true }), ['build']],
  [
    'the private section’s output deleted since',
    (dir) => rmSync(join(dir, 'build/private'), { recursive: true }),
    ['build'],
  ],
  [
    'a new lockfile (git pull): install, then build',
    (dir) => write(dir, 'package-lock.json', '{}', 5),
    ['install', 'build'],
  ],
  [
    'npm never finished (no hidden lockfile)',
    (dir) => rmSync(join(dir, 'node_modules/.package-lock.json')),
    ['install', 'build'],
  ],
  ['never installed', (dir) => rmSync(join(dir, 'node_modules'), { recursive: true }), ['install', 'build']],
  [
    'only generated files changed (node_modules, build, .docusaurus, dotfiles)',
    (dir) => {
      for (const path of ['node_modules/x/y.js', 'build/sitemap.xml', '.docusaurus/z.json', '.eslintcache'])
        write(dir, path, 'new', 1)
    },
    [],
  ],
]

for (const [name, change, expected, publicUrl] of CASES) {
  t.test(name, async (t) => {
    const dir = builtSite()
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    change(dir)
    t.same(staleSteps(dir, publicUrl), expected)
  })
}
