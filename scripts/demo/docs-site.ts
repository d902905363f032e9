// The example Docusaurus site (examples/docs-site) needs `npm ci` and a build
// before it can be served. Both are slow (a minute or so on a first run), so
// they run only when missing or stale: the install when package-lock.json is
// newer than what npm last installed, the build when any source file is
// newer than the build's output. The demo and the browser suite share this.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DOCS_SITE = fileURLToPath(new URL('../../examples/docs-site/', import.meta.url))

export type DocsSiteStep = 'install' | 'build'

/** The npm arguments of each step, run in the site's directory. */
export const DOCS_SITE_STEPS: Record<DocsSiteStep, string[]> = {
  install: ['ci', '--no-audit', '--no-fund'],
  // Builds the public site into build/, the private section into
  // build/private/, then checks that no private text reached the public build.
  build: ['run', 'build'],
}

// Not sources: what npm and Docusaurus write.
const GENERATED = new Set(['node_modules', 'build', '.docusaurus'])

function mtime(path: string): number {
  return existsSync(path) ? statSync(path).mtimeMs : Number.NaN
}

/** The newest modification time (ms since the epoch) of any source file under `dir`. */
function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (GENERATED.has(entry.name) || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

/**
 * The steps `site` needs before it can be served, in order: [] when the
 * install and the build are both current. Missing times compare as NaN, which
 * is never "current", so a missing file always means the step runs.
 */
export function staleSteps(site = DOCS_SITE): DocsSiteStep[] {
  const installed = mtime(join(site, 'node_modules', '.package-lock.json'))
  const install =
    !existsSync(join(site, 'node_modules', '.bin', 'docusaurus')) ||
    !(installed >= mtime(join(site, 'package-lock.json')))
  const built = Math.min(
    mtime(join(site, 'build', 'index.html')),
    mtime(join(site, 'build', 'private', 'index.html')),
  )
  const build = install || !(built >= newestSource(site))
  return [...(install ? (['install'] as const) : []), ...(build ? (['build'] as const) : [])]
}
