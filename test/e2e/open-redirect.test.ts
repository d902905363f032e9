// returnTo in the browser: every payload of the open-redirect list, given to
// the sign-in and sign-up pages as a signed-in visitor (who is sent straight
// on) and posted in the sign-in form by a visitor signing in, must leave the
// browser on the gateway's own origin. The same list runs against the pure
// function in test/auth/redirects.test.ts; this is what Chromium does with
// the answers, after its own URL parsing of the Location header.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { nextIp } from '../helper.ts'
import { launchChromium } from './fixtures/browser.ts'
import { startStack } from './fixtures/stack.ts'

const LIST = new URL('../fixtures/openredirects.txt', import.meta.url)
const SOURCE = 'payloads: PayloadsAllTheThings, Open Redirect (test/fixtures/openredirects.txt)'
const USER = { name: 'Returner', email: 'returner@example.com', password: 'a long enough password' }

t.test(`returnTo payloads never leave the origin in Chromium [${SOURCE}]`, async (t) => {
  const payloads = (await readFile(LIST, 'utf8')).split('\n').filter((line) => line !== '')
  const stack = await startStack(t)
  const { origin } = stack
  const up = await stack.app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin },
    remoteAddress: nextIp(),
    payload: USER,
  })
  t.equal(up.statusCode, 200)
  const browser = await launchChromium(t)

  // Through the form, as someone signing in would (the hidden field tampered).
  for (const payload of ['//evil.example/', '/\\evil.example', 'https://evil.example/']) {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${origin}/auth/sign-in`)
    await page.locator('input[name="returnTo"]').evaluate((input, value) => {
      ;(input as HTMLInputElement).value = value
    }, payload)
    await page.getByLabel('Email').fill(USER.email)
    await page.getByLabel('Password', { exact: true }).fill(USER.password)
    await Promise.all([page.waitForURL(/\/docs\//), page.getByRole('button', { name: 'Sign in' }).click()])
    t.equal(new URL(page.url()).origin, origin, `form with returnTo ${payload}: stays on the origin`)
    if (payload === 'https://evil.example/') {
      // The last one keeps its session for the signed-in walk below.
      await walk(page)
    }
    await context.close()
  }

  async function walk(page: import('playwright-core').Page) {
    let offsite = 0
    let visited = 0
    let sentOn = 0
    // Sign-in gets every payload, encoded and as written (Chromium's URL
    // parser then has its say); sign-up shares the same redirect code, so it
    // gets every tenth, encoded (the whole list runs against safeReturnTo in
    // test/auth/redirects.test.ts).
    for (const path of ['/auth/sign-in', '/auth/sign-up']) {
      const list = path === '/auth/sign-in' ? payloads : payloads.filter((_, i) => i % 10 === 0)
      for (const payload of list) {
        const encoded = `returnTo=${encodeURIComponent(payload)}`
        for (const query of path === '/auth/sign-in' ? [encoded, `returnTo=${payload}`] : [encoded]) {
          const target = `${origin}${path}?${query}`
          let landed: string
          try {
            await page.goto(target, { waitUntil: 'commit' })
            landed = page.url()
          } catch (error) {
            // A URL Chromium itself refuses to load never left the origin either.
            landed = `error: ${(error as Error).message.split('\n')[0]}`
            if (!/net::ERR_(ABORTED|INVALID_URL)/.test(landed)) t.fail(`${target}: ${landed}`)
            continue
          }
          visited++
          // Signed in, the page is skipped: the visit must have been sent on.
          if (!new URL(landed).pathname.startsWith('/auth/sign-')) sentOn++
          if (!landed.startsWith(`${origin}/`)) {
            offsite++
            t.fail(`${target} → ${landed}`)
          }
        }
      }
    }
    t.equal(offsite, 0, `signed in, ${visited} visits with a payload as returnTo: all stayed on the origin`)
    t.ok(visited > payloads.length * 2, 'nearly every payload was a visit Chromium made')
    t.equal(sentOn, visited, 'and every visit was sent on (to / or a same-origin path), not left on the form')
  }
})
