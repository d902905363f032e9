// A fingerprint of everything the build depends on: the content of every
// source file (by path, so a deleted or renamed page changes it too) and the
// PUBLIC_URL written into canonical links. `npm run build` removes
// .build-fingerprint first and writes it last, after the privacy check has
// passed, so a build that failed half-way, or one older than the sources,
// never matches. It sits beside build/, not in it: nothing served.
//   node scripts/source-fingerprint.mjs [site-dir]          prints it
//   node scripts/source-fingerprint.mjs --write [site-dir]  writes .build-fingerprint
// `npm run demo` and the browser suite rebuild when the two differ.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

// What npm and Docusaurus write, and dotfiles (caches, editor files).
const GENERATED = new Set(['node_modules', 'build', '.docusaurus'])
export const DEFAULT_PUBLIC_URL = 'http://localhost:3001'

function sources(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (GENERATED.has(entry.name) || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) sources(path, found)
    else if (entry.isFile()) found.push(path)
  }
  return found
}

/** sha256 (hex) over PUBLIC_URL and each source file's path and content, in path order. */
export function sourceFingerprint(site, publicUrl = process.env.PUBLIC_URL || DEFAULT_PUBLIC_URL) {
  const hash = createHash('sha256').update(`PUBLIC_URL=${publicUrl}\n`)
  for (const path of sources(site).sort()) {
    const content = readFileSync(path)
    hash.update(`${relative(site, path)}\0${content.length}\0`).update(content)
  }
  return hash.digest('hex')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = process.argv[2] === '--write'
  const site = process.argv[write ? 3 : 2] ?? join(dirname(fileURLToPath(import.meta.url)), '..')
  const fingerprint = sourceFingerprint(site)
  if (write) writeFileSync(join(site, '.build-fingerprint'), `${fingerprint}\n`)
  else console.log(fingerprint)
}
