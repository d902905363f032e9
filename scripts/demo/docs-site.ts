// The example Docusaurus site (examples/docs-site) needs `npm ci` and a build
// before it can be served. Both are slow (a minute or so on a first run), so
// they run only when missing or stale: the install when package-lock.json is
// newer than what npm last installed; the build when the fingerprint of the
// sources (and PUBLIC_URL) differs from the one a successful `npm run build`
// wrote last (examples/docs-site/scripts/source-fingerprint.mjs). The demo
// and the browser suite share this.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DOCS_SITE = fileURLToPath(new URL('../../examples/docs-site/', import.meta.url))

export type DocsSiteStep = 'install' | 'build'

/** The npm arguments of each step, run in the site's directory. */
export const DOCS_SITE_STEPS: Record<DocsSiteStep, string[]> = {
  install: ['ci', '--no-audit', '--no-fund'],
  // Builds the public site into build/, the private section into
  // build/private/, checks that no private text reached the public build,
  // and only then writes .build-fingerprint beside build/.
  build: ['run', 'build'],
}

function mtime(path: string): number {
  return existsSync(path) ? statSync(path).mtimeMs : Number.NaN
}

/** The fingerprint the site's own script computes for `site` as built for `publicUrl`. */
function currentFingerprint(site: string, publicUrl: string | undefined): string {
  const script = join(DOCS_SITE, 'scripts', 'source-fingerprint.mjs')
  const env = { ...process.env, PUBLIC_URL: publicUrl ?? '' }
  const result = spawnSync(process.execPath, [script, site], { encoding: 'utf8', env })
  if (result.status !== 0) throw new Error(`${script} failed: ${result.stderr}`)
  return result.stdout.trim()
}

/** The fingerprint of the last successful build, if its output is still there. */
function builtFingerprint(site: string): string | undefined {
  const stamp = join(site, '.build-fingerprint')
  const output = [join(site, 'build', 'index.html'), join(site, 'build', 'private', 'index.html')]
  if (!existsSync(stamp) || !output.every((path) => existsSync(path))) return undefined
  return readFileSync(stamp, 'utf8').trim()
}

/**
 * The steps `site` needs before it can be served for `publicUrl` (undefined:
 * the site's default), in order: [] when the install and the build are both
 * current. A missing hidden lockfile (npm never finished) means install; a
 * missing stamp (never built, or the last build failed) or output means build.
 */
export function staleSteps(site = DOCS_SITE, publicUrl?: string): DocsSiteStep[] {
  const installed = mtime(join(site, 'node_modules', '.package-lock.json'))
  const install =
    !existsSync(join(site, 'node_modules', '.bin', 'docusaurus')) ||
    !(installed >= mtime(join(site, 'package-lock.json')))
  const build = install || builtFingerprint(site) !== currentFingerprint(site, publicUrl)
  return [...(install ? (['install'] as const) : []), ...(build ? (['build'] as const) : [])]
}
