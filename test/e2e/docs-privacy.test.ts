// The private docs are private in every byte, not only at their HTML paths.
// Docusaurus ships page text inside shared JS chunks, the sitemap and the
// search index; the example builds the private section as a second site
// under /docs/private/, behind AUTH_REQUIRED_PATHS. This test asks for every
// file the public build holds, and every private URL any of them names, as a
// stranger through the gateway, and looks for a canary sentence that appears
// on one private page only. It then shows the canary is reachable when
// signed in, so the check has teeth.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { nextIp } from '../helper.ts'
import { canary, DOCS_SITE } from './fixtures/docs-site.ts'
import { startStack } from './fixtures/stack.ts'

const NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' }
const SCRIPT = { 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty', accept: '*/*' }

/** GET with exactly these headers (fetch() would set its own Sec-Fetch-*). */
async function get(origin: string, path: string, headers: Record<string, string>) {
  const res = await request(`${origin}${path}`, { headers })
  const body = await res.body.text()
  const location = res.headers.location
  return { status: res.statusCode, body, location: typeof location === 'string' ? location : '' }
}

/**
 * The URL a site links to for a built file: pages by their clean URL (the
 * directory), since `docusaurus serve` answers `…/index.html` with a redirect
 * that drops the baseUrl; undefined for 404.html, which no page links to
 * (it is served for unknown paths, and read on disk below).
 */
function urlOf(build: string, file: string): string | undefined {
  const path = relative(build, file)
  if (path === '404.html' || path.endsWith('/404.html')) return undefined
  return `/docs/${path.replace(/(^|\/)index\.html$/, '$1')}`
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

/** Every /docs/private… path a text names, absolute or root-relative, whatever origin the build was given. */
function privateReferences(text: string): string[] {
  const found = new Set<string>()
  for (const match of text.matchAll(/(?:https?:\/\/[^/"'\s]+)?(\/docs\/private(?:\/[^"'\s<>)\\]*)?)/g))
    found.add((match[1] as string).replace(/[.:,;]+$/, ''))
  return [...found]
}

t.test('a stranger reads no private sentence through any URL the public site references', async (t) => {
  const secret = await canary()
  const stack = await startStack(t)
  const build = join(DOCS_SITE, 'build')
  const all = await filesUnder(build)
  const publicFiles = all.filter((f) => !relative(build, f).startsWith('private/'))
  const privateFiles = all.filter((f) => relative(build, f).startsWith('private/'))
  t.ok(publicFiles.length > 20, `the public build has ${publicFiles.length} files`)
  t.ok(privateFiles.length > 5, `the private build has ${privateFiles.length} files`)
  // The search plugin names its index search-index-<hash>.json (hashed: 'filename').
  for (const [kind, pattern] of [
    ['sitemap.xml', /\/sitemap\.xml$/],
    ['search index', /\/search-index[^/]*\.json$/],
  ] as const) {
    t.ok(
      publicFiles.some((f) => pattern.test(f)),
      `the public build has a ${kind}, so the test covers it`,
    )
  }
  t.ok(
    publicFiles.some((f) => /assets\/js\/.+\.js$/.test(f)),
    'and JS chunks',
  )

  const referenced = new Set<string>(['/docs/private', '/docs/private/'])
  let leaks = 0
  let fetched = 0
  for (const file of publicFiles) {
    const path = urlOf(build, file)
    if (path === undefined) continue
    fetched++
    const res = await get(stack.origin, path, SCRIPT)
    const body = res.body
    if (res.status !== 200 || body.includes(secret)) {
      leaks++
      t.fail(`${path}: ${res.status}${body.includes(secret) ? ', holds the canary' : ''}`)
    }
    for (const reference of privateReferences(body)) referenced.add(reference)
  }
  t.equal(leaks, 0, `${fetched} public URLs fetched anonymously: all 200, none holds the canary`)

  for (const file of privateFiles) referenced.add(`/docs/${relative(build, file)}`)
  for (const file of privateFiles) referenced.add(urlOf(build, file) ?? '/docs/private/404.html')
  let refused = 0
  for (const path of referenced) {
    for (const [kind, headers] of [
      ['navigation', NAVIGATION],
      ['script', SCRIPT],
    ] as const) {
      const res = await get(stack.origin, path, headers)
      const body = res.body
      // A navigation is sent to sign in (303), anything else refused (401).
      const expected = kind === 'navigation' ? 303 : 401
      if (res.status === expected && !body.includes(secret)) refused++
      else t.fail(`${path} (${kind}): ${res.status}${body.includes(secret) ? ', holds the canary' : ''}`)
      if (kind === 'navigation' && res.status === 303) {
        const location = res.location
        if (!location.startsWith('/auth/sign-in?returnTo=%2Fdocs%2Fprivate'))
          t.fail(`${path}: sent to ${location}`)
      }
    }
  }
  t.equal(
    refused,
    referenced.size * 2,
    `${referenced.size} private URLs (every private file, every private link in the public build): refused anonymously`,
  )

  // Teeth: the same URLs do hold the canary for someone signed in.
  const up = await stack.app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: stack.origin },
    remoteAddress: nextIp(),
    payload: { name: 'Reader', email: 'reader@example.com', password: 'a long enough password' },
  })
  const cookie = String(up.headers['set-cookie']).split(';')[0] as string
  let holders = 0
  for (const file of privateFiles) {
    const res = await fetch(`${stack.origin}/docs/${relative(build, file)}`, {
      headers: { ...SCRIPT, cookie },
    })
    if (res.status === 200 && (await res.text()).includes(secret)) holders++
  }
  t.ok(
    holders >= 2,
    `signed in, ${holders} private files hold the canary (its page, its chunk): the check can fail`,
  )
  const onDisk = (await Promise.all(publicFiles.map((f) => readFile(f, 'utf8').catch(() => '')))).filter(
    (text) => text.includes(secret),
  )
  t.equal(onDisk.length, 0, 'and no public file on disk holds it either')
})
