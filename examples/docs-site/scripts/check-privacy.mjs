// Run after both builds (npm run build does): fails unless the private
// section's text stayed inside build/private/. A canary sentence that exists
// only on one private page must be found in the private build's HTML, JS
// chunks and search index, and in no file of the public build; nor may the
// public build name any private page's URL.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const site = join(dirname(fileURLToPath(import.meta.url)), '..')
const build = join(site, 'build')
const privateBuild = join(build, 'private')
const canary = readFileSync(join(site, 'canary.txt'), 'utf8').trim()

function files(dir, skip) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .filter((path) => skip === undefined || !path.startsWith(`${skip}/`))
}
const containing = (paths, text) => paths.filter((path) => readFileSync(path, 'utf8').includes(text))
const problems = []

if (!readFileSync(join(site, 'private', 'on-call.md'), 'utf8').includes(canary))
  problems.push('private/on-call.md no longer contains the canary of canary.txt')

const privateFiles = files(privateBuild)
const withCanary = containing(privateFiles, canary).map((path) => relative(privateBuild, path))
for (const [kind, pattern] of [
  ['HTML page', /\.html$/],
  ['JS chunk', /^assets\/js\/.*\.js$/],
  ['search index', /^search-index.*\.json$/],
]) {
  // A check that finds nothing where the text must be proves nothing elsewhere.
  if (!withCanary.some((path) => pattern.test(path)))
    problems.push(`no ${kind} of build/private has the canary`)
}

const publicFiles = files(build, privateBuild)
for (const path of containing(publicFiles, canary)) problems.push(`${relative(site, path)} has the canary`)

// Every private URL, as the private sitemap lists it, e.g. /docs/private/on-call/.
const privatePaths = [
  ...readFileSync(join(privateBuild, 'sitemap.xml'), 'utf8').matchAll(
    /<loc>[^<]*?(\/docs\/private\/[^<]+)<\/loc>/g,
  ),
].map((match) => match[1])
for (const path of privatePaths) {
  for (const file of containing(publicFiles, path)) problems.push(`${relative(site, file)} names ${path}`)
}
if (privatePaths.length === 0)
  problems.push('build/private/sitemap.xml lists no private page below /docs/private/')

if (problems.length > 0) {
  console.error(`privacy check failed:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(
  `privacy check: the canary is in ${withCanary.length} files of build/private and none of the ` +
    `${publicFiles.length} files of the public build, which names none of ${privatePaths.length} private URLs`,
)
