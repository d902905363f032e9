// A newcomer's whole visit, in headless Chromium against the real parts: the
// gateway, the Docusaurus example (built, served) as /docs with its private
// section protected, and the FastAPI example as /api. Sign up from the
// docs navbar, land back on the page, the navbar knows the name, the page's
// own fetch('/api/me') reaches FastAPI with identity; reload and a new tab
// keep the session; sign out, a private page sends to sign-in and back; the
// account page lists sessions and revokes one; sign out. Screenshots of the
// sign-in page, a signed-in docs page and the account page at two widths
// land in test/artifacts/.
import t from 'tap'
import { nextIp } from '../helper.ts'
import { launchChromium, navbarState, screenshot, WIDTHS } from './fixtures/browser.ts'
import { canary } from './fixtures/docs-site.ts'
import { startStack } from './fixtures/stack.ts'

const USER = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'analytical engine 1843' }
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'

t.test('sign up from the docs, identity everywhere, private pages, sessions, sign out', async (t) => {
  const secret = await canary()
  const stack = await startStack(t)
  const { origin } = stack
  const browser = await launchChromium(t)
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()

  await page.goto(`${origin}/docs/getting-started/`)
  t.equal(await navbarState(page), 'Sign in', 'a stranger’s navbar offers to sign in')
  await page.locator('.navbar a.theme-auth-gateway-item', { hasText: 'Sign in' }).click()
  await page.waitForURL(/\/auth\/sign-in\?returnTo=/)
  t.equal(new URL(page.url()).searchParams.get('returnTo'), '/docs/getting-started/', 'returnTo is the page')
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await screenshot(page, 'sign-in', width)
  }
  await page.setViewportSize({ width: 1280, height: 900 })

  await page.getByRole('link', { name: /create one|create an account|sign up/i }).click()
  await page.waitForURL(/\/auth\/sign-up/)
  await page.getByLabel('Name').fill(USER.name)
  await page.getByLabel('Email').fill(USER.email)
  await page.getByLabel('Password', { exact: true }).fill(USER.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL(`${origin}/docs/getting-started/`)
  t.pass('signed up, back on the docs page')
  t.equal(await navbarState(page), USER.name, 'the navbar shows the name')

  const me = await page.evaluate(async () => {
    const res = await fetch('/api/me')
    return { status: res.status, body: await res.json() }
  })
  t.equal(me.status, 200, "the page's fetch('/api/me') reaches FastAPI")
  t.match(
    me.body,
    { email: USER.email, name: USER.name },
    'and FastAPI knows who is asking (verified assertion)',
  )

  // Client-side navigation: the item keeps its answer, no refetch, no flash.
  await page
    .locator('.theme-doc-sidebar-container a', { hasText: /identity/i })
    .first()
    .click()
  await page.waitForURL(/\/docs\/identity/)
  t.equal(await navbarState(page), USER.name, 'after client-side navigation: still the name')

  await page.reload()
  t.equal(await navbarState(page), USER.name, 'after a reload: still signed in')
  const tab = await context.newPage()
  await tab.goto(`${origin}/docs/`)
  t.equal(await navbarState(tab), USER.name, 'a new tab: signed in')
  for (const width of WIDTHS) {
    await tab.setViewportSize({ width, height: 900 })
    await screenshot(tab, 'docs-signed-in', width)
  }
  await tab.close()

  // Sign out from the navbar menu.
  await page.locator('.navbar .theme-auth-gateway-item button').first().click()
  await Promise.all([
    page.waitForURL(/\/auth\/sign-in/),
    page.getByRole('button', { name: 'Sign out' }).first().click(),
  ])
  t.pass('signed out from the navbar menu')

  await page.goto(`${origin}/docs/private/on-call/`)
  await page.waitForURL(/\/auth\/sign-in\?returnTo=/)
  t.equal(
    new URL(page.url()).searchParams.get('returnTo'),
    '/docs/private/on-call/',
    'a private page sends to sign in',
  )
  t.notOk((await page.content()).includes(secret), 'and shows nothing of it')
  await page.getByLabel('Email').fill(USER.email)
  await page.getByLabel('Password', { exact: true }).fill(USER.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${origin}/docs/private/on-call/`)
  t.pass('signed in again: back on the private page')
  await page.locator('article h1').first().waitFor()
  t.ok(await page.getByText(secret).isVisible(), 'the private page shows its content (the canary sentence)')

  // A second device: signed in from elsewhere (its own address, so the
  // per-IP sign-in limit of a real deployment is not what this tests).
  const other = await stack.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin, 'user-agent': FIREFOX },
    remoteAddress: nextIp(),
    payload: { email: USER.email, password: USER.password, rememberMe: true },
  })
  t.equal(other.statusCode, 200, 'a second session from Firefox on Linux')
  const otherCookie = String(other.headers['set-cookie']).split(';')[0] as string
  const otherMe = () => fetch(`${origin}/api/me`, { headers: { cookie: otherCookie } }).then((r) => r.status)
  t.equal(await otherMe(), 200, 'the second device reaches /api/me')

  await page.goto(`${origin}/auth/account`)
  const sessions = page.locator('.sessions > li')
  t.equal(await sessions.count(), 2, 'the account page lists both sessions')
  t.match(
    await sessions.filter({ hasText: 'This device' }).innerText(),
    /Chrom/,
    'this one is marked, Chromium',
  )
  t.match(
    await sessions.filter({ hasText: 'Firefox' }).innerText(),
    /Linux/,
    'the other reads Firefox on Linux',
  )
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    await screenshot(page, 'account', width)
  }
  await page.setViewportSize({ width: 1280, height: 900 })

  await Promise.all([
    page.waitForURL(/\/auth\/account\?notice=/),
    sessions
      .filter({ hasText: 'Firefox' })
      .getByRole('button', { name: /Sign out/ })
      .click(),
  ])
  t.equal(await page.locator('.sessions > li').count(), 1, 'revoked: one session left')
  t.equal(await otherMe(), 401, 'the revoked device is refused on its very next request')
  // From a docs page: the gateway's own pages allow no script to fetch (CSP).
  await page.goto(`${origin}/docs/`)
  t.equal(
    await page.evaluate(() => fetch('/api/me').then((r) => r.status)),
    200,
    'this device is still signed in',
  )
  await page.goto(`${origin}/auth/account`)

  await Promise.all([
    page.waitForURL(/\/auth\/sign-in/),
    page.locator('main').getByRole('button', { name: 'Sign out', exact: true }).click(),
  ])
  await page.goto(`${origin}/docs/`)
  t.equal(
    await page.evaluate(() => fetch('/api/me').then((r) => r.status)),
    401,
    'signed out: /api/me is 401',
  )
  t.equal(await navbarState(page), 'Sign in', 'and the navbar offers to sign in again')
  // The private page was loaded earlier in this browser: it must not come
  // back from the cache (the gateway sent it as no-store; sign-out cleared the cache).
  await page.goto(`${origin}/docs/private/on-call/`)
  await page.waitForURL(/\/auth\/sign-in\?returnTo=/)
  t.notOk(
    (await page.content()).includes(secret),
    'after sign-out the private page is not shown, not even from the cache',
  )
})
