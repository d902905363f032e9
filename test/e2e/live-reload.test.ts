// The dev server behind the gateway: `docusaurus start` (the example's
// `npm start`) on its own port, the browser on the gateway's origin only.
// webpack-dev-server's live-reload websocket lives under /docs/ in the
// example's config (examples/docs-site/plugins/dev-server-behind-gateway.js),
// so it reaches the dev server through the gateway's websocket tunnel. An
// edit to a page's Markdown must show in the open page with no action by
// the user.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { launchChromium } from './fixtures/browser.ts'
import { DOCS_SITE, ensureDocsSiteBuilt, startDocsSite } from './fixtures/docs-site.ts'
import { startStack } from './fixtures/stack.ts'

t.test('editing a page updates the browser through the gateway', async (t) => {
  ensureDocsSiteBuilt() // installs the site's packages on a fresh machine
  // A copy of the site to edit, sharing the installed packages.
  const copy = await mkdtemp(join(tmpdir(), 'gw-docs-dev-'))
  t.teardown(() => rm(copy, { recursive: true, force: true }))
  await cp(DOCS_SITE, copy, {
    recursive: true,
    filter: (source) => !/\/(node_modules|build|\.docusaurus)(\/|$)/.test(source.slice(DOCS_SITE.length - 1)),
  })
  await symlink(join(DOCS_SITE, 'node_modules'), join(copy, 'node_modules'), 'dir')

  const dev = await startDocsSite(t, 'start', copy)
  const stack = await startStack(t, { docsUpstream: dev.url })
  const browser = await launchChromium(t)
  const page = await browser.newPage()
  const sockets: string[] = []
  page.on('websocket', (socket) => sockets.push(socket.url()))

  await page.goto(`${stack.origin}/docs/getting-started`)
  await page.locator('main h1').first().waitFor()
  // Set in this very document: it survives a hot update, not a reload.
  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 1
  })
  await page.waitForFunction(() => true)
  const live = sockets.find((url) => url.startsWith(stack.origin.replace('http', 'ws')))
  t.ok(live, `the live-reload websocket goes to the gateway’s origin (${sockets.join(', ') || 'none'})`)
  t.match(new URL(live ?? 'ws://x/').pathname, /^\/docs\//, 'under /docs/, which the gateway tunnels')

  const file = join(copy, 'docs', 'getting-started.md')
  const edited = `Edited while you watched ${Date.now()}`
  const source = await readFile(file, 'utf8')
  await writeFile(file, `${source.trimEnd()}\n\n${edited}\n`)
  await page.getByText(edited).waitFor({ timeout: 120_000 })
  t.pass('the edit shows in the open page')
  const hot = await page.evaluate(() => (window as unknown as { marker?: number }).marker === 1)
  t.comment(hot ? 'updated in place (hot update)' : 'updated by a reload')
  t.ok(new URL(page.url()).origin === stack.origin, 'and the page never left the gateway’s origin')
})
