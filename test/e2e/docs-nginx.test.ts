// The docs image's nginx (examples/docs-site/nginx.conf) behind the real
// gateway, as docker-compose.yml runs them: the site's pages at their clean
// URLs, the private section behind sign-in, unknown paths on the site's 404
// page, and caching fit for a build whose assets carry their hash. Every
// body is compared with the file the build wrote.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { nextIp } from '../helper.ts'
import { startDocsNginx } from './fixtures/docs-nginx.ts'
import { canary, DOCS_SITE } from './fixtures/docs-site.ts'
import { startStack } from './fixtures/stack.ts'

const BUILD = join(DOCS_SITE, 'build')
const NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' }
const IMMUTABLE = 'max-age=31536000, immutable'

/** GET without following redirects or decoding the body (undici's request, not fetch). */
async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers })
  const body = await res.body.text()
  const header = (name: string) => {
    const value = res.headers[name]
    return typeof value === 'string' ? value : undefined
  }
  return { status: res.statusCode, body, header }
}

const onDisk = (path: string) => readFile(join(BUILD, path), 'utf8')

/** The public pages at the build's top level: <name>/index.html, served at /docs/<name>/. */
async function topLevelPages(): Promise<string[]> {
  const entries = await readdir(BUILD, { withFileTypes: true })
  const dirs = entries.filter((e) => e.isDirectory() && e.name !== 'private').map((e) => e.name)
  const pages = await Promise.all(
    dirs.map((d) =>
      onDisk(`${d}/index.html`).then(
        () => d,
        () => undefined,
      ),
    ),
  )
  return pages.filter((p) => p !== undefined)
}

t.test('the docs image behind the gateway', async (t) => {
  const nginx = await startDocsNginx(t)
  const { origin, app } = await startStack(t, { docsUpstream: nginx.url })

  t.test('/docs/ is the site index, revalidated on every use', async (t) => {
    const res = await get(`${origin}/docs/`, NAVIGATION)
    t.equal(res.status, 200)
    t.equal(res.body, await onDisk('index.html'))
    t.equal(res.header('content-type'), 'text/html; charset=utf-8')
    t.equal(res.header('cache-control'), 'no-cache')
    const etag = res.header('etag')
    t.ok(etag, 'with an ETag to revalidate against')
    const again = await get(`${origin}/docs/`, { ...NAVIGATION, 'if-none-match': etag ?? '' })
    t.equal(again.status, 304, 'unchanged: 304, no body')
    const bare = await get(`${origin}/docs`, NAVIGATION)
    t.same([bare.status, bare.header('location')], [301, '/docs/'])
  })

  t.test('every page at its clean URL; without the slash, redirected to it', async (t) => {
    const pages = await topLevelPages()
    t.ok(pages.length >= 3, `the build has ${pages.length} top-level pages: ${pages.join(', ')}`)
    // trailingSlash: true writes every page as <path>/index.html, never <name>.html.
    const files = await readdir(BUILD, { recursive: true })
    t.same(
      files.filter((f) => f.endsWith('.html') && !/(^|\/)(index|404)\.html$/.test(f)),
      [],
      'no page is written as <name>.html',
    )
    for (const page of pages) {
      const res = await get(`${origin}/docs/${page}/`, NAVIGATION)
      t.equal(res.status, 200, `/docs/${page}/`)
      t.equal(res.body, await onDisk(`${page}/index.html`), `/docs/${page}/ is ${page}/index.html`)
      // A path only: the Host nginx saw was the gateway's name for it.
      const bare = await get(`${origin}/docs/${page}?tab=1`, NAVIGATION)
      t.same([bare.status, bare.header('location')], [301, `/docs/${page}/?tab=1`], `/docs/${page}`)
    }
  })

  t.test("an unknown path is a 404 with the site's 404 page, a directory too", async (t) => {
    const notFound = await onDisk('404.html')
    for (const path of ['/docs/no-such-page/', '/docs/no-such-file.js', '/docs/assets/']) {
      const res = await get(`${origin}${path}`, NAVIGATION)
      t.equal(res.status, 404, path)
      t.equal(res.body, notFound, `${path}: the 404 page`)
      t.equal(res.header('cache-control'), 'no-cache', `${path}: not kept`)
    }
  })

  t.test('hashed assets are immutable; compressed when asked', async (t) => {
    const js = (await readdir(join(BUILD, 'assets/js'))).filter((f) => f.endsWith('.js'))
    const css = (await readdir(join(BUILD, 'assets/css'))).filter((f) => f.endsWith('.css'))
    t.ok(js.length > 0 && css.length > 0, 'the build has JS and CSS under assets/')
    for (const path of [`assets/js/${js[0]}`, `assets/css/${css[0]}`]) {
      const res = await get(`${origin}/docs/${path}`)
      t.equal(res.status, 200, path)
      t.equal(res.body, await onDisk(path), `${path}: the built file`)
      t.equal(res.header('cache-control'), `public, ${IMMUTABLE}`, `${path}: immutable`)
      const gzipped = await get(`${origin}/docs/${path}`, { 'accept-encoding': 'gzip' })
      t.equal(gzipped.header('content-encoding'), 'gzip', `${path}: gzip through the gateway`)
      t.match(gzipped.header('vary') ?? '', /accept-encoding/i, `${path}: Vary says so`)
    }
  })

  t.test('the private section: sign in first, then the pages with the canary', async (t) => {
    const stranger = await get(`${origin}/docs/private/`, NAVIGATION)
    t.same(
      [stranger.status, stranger.header('location')],
      [303, '/auth/sign-in?returnTo=%2Fdocs%2Fprivate%2F'],
      'a stranger is sent to sign in',
    )

    const up = await app.inject({
      method: 'POST',
      url: '/api/auth/sign-up/email',
      headers: { origin },
      remoteAddress: nextIp(),
      payload: { name: 'Reader', email: 'nginx-reader@example.com', password: 'a long enough password' },
    })
    t.equal(up.statusCode, 200, 'signed up')
    const cookie = String(up.headers['set-cookie']).split(';')[0] as string
    const signedIn = { ...NAVIGATION, cookie }

    const index = await get(`${origin}/docs/private/`, signedIn)
    t.equal(index.status, 200)
    t.equal(index.body, await onDisk('private/index.html'), 'the private index, from build/private/')
    t.equal(index.header('cache-control'), 'private, no-store', "the gateway's word on a protected page")

    const secret = await canary()
    const privatePages = (await readdir(join(BUILD, 'private'), { recursive: true }))
      .filter((f) => f.endsWith('index.html'))
      .map((f) => `private/${f}`)
    const holders = []
    for (const file of privatePages) if ((await onDisk(file)).includes(secret)) holders.push(file)
    t.equal(holders.length, 1, `one private page holds the canary: ${holders.join(', ')}`)
    const page = `/docs/${(holders[0] ?? '').replace(/index\.html$/, '')}`
    const res = await get(`${origin}${page}`, signedIn)
    t.equal(res.status, 200, page)
    t.ok(res.body.includes(secret), `${page} holds the canary, signed in`)
    const anonymous = await get(`${origin}${page}`, NAVIGATION)
    t.ok(anonymous.status === 303 && !anonymous.body.includes(secret), `${page}: not to a stranger`)

    const missing = await get(`${origin}/docs/private/no-such-runbook/`, signedIn)
    t.equal(missing.status, 404)
    t.equal(missing.body, await onDisk('404.html'), "an unknown private path: the site's 404 page")
  })

  t.test('nginx itself keeps the private section out of shared caches', async (t) => {
    // Through the gateway a signed-in answer is `private, no-store` whatever
    // nginx says; this is nginx's own header, should anything cache in front.
    const assets = await readdir(join(BUILD, 'private/assets/js'))
    const direct = await get(`${nginx.url}/docs/private/assets/js/${assets[0]}`)
    t.equal(direct.status, 200)
    t.equal(direct.header('cache-control'), `private, ${IMMUTABLE}`)
    const page = await get(`${nginx.url}/docs/private/`)
    t.equal(page.header('cache-control'), 'private, no-cache')
  })
})
