// axe-core (WCAG 2.1 A and AA, and axe's best practices) on every page the
// gateway renders itself, in Chromium, at a phone's and a laptop's width:
// sign-in (empty and refused), sign-up, the account page with two sessions,
// and the 502 page of an upstream that is not running.
import t from 'tap'
import { freePort } from '../fixtures/uvicorn.ts'
import { nextIp } from '../helper.ts'
import { axeViolations, describeViolations } from './fixtures/axe.ts'
import { launchChromium, WIDTHS } from './fixtures/browser.ts'
import { startStack } from './fixtures/stack.ts'

const USER = { name: 'Axe Reader', email: 'axe@example.com', password: 'a long enough password' }
const AXE = 'WCAG 2.1 AA via axe-core'

t.test(`the gateway's pages have no axe violations [${AXE}]`, async (t) => {
  const stack = await startStack(t, { docsUpstream: `http://127.0.0.1:${await freePort()}` })
  const { origin } = stack
  const signIn = (ip: string, ua: string) =>
    stack.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { origin, 'user-agent': ua },
      remoteAddress: ip,
      payload: { email: USER.email, password: USER.password },
    })
  await stack.app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin },
    remoteAddress: nextIp(),
    payload: USER,
  })
  const session = String(
    (
      await signIn(
        nextIp(),
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      )
    ).headers['set-cookie'],
  ).split(';')[0] as string
  await signIn(nextIp(), 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')

  const browser = await launchChromium(t)
  for (const width of WIDTHS) {
    // bypassCSP: only so that axe's own script can run in the page.
    const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true })
    const page = await context.newPage()
    const pages: { name: string; open: () => Promise<unknown> }[] = [
      { name: 'sign-in', open: () => page.goto(`${origin}/auth/sign-in`) },
      { name: 'sign-up', open: () => page.goto(`${origin}/auth/sign-up`) },
      {
        name: 'sign-in refused (wrong password)',
        open: async () => {
          await page.goto(`${origin}/auth/sign-in`)
          await page.getByLabel('Email').fill(USER.email)
          await page.getByLabel('Password', { exact: true }).fill('not the password at all')
          await page.getByRole('button', { name: 'Sign in' }).click()
          await page.locator('[role="alert"]').waitFor()
        },
      },
      {
        name: 'account (two sessions)',
        open: async () => {
          const [name, value] = session.split('=') as [string, string]
          await context.addCookies([{ name, value, url: origin }])
          await page.goto(`${origin}/auth/account`)
          await page.locator('.sessions').waitFor()
        },
      },
      { name: '502 (docs not running)', open: () => page.goto(`${origin}/docs/`) },
    ]
    for (const entry of pages) {
      await entry.open()
      const violations = await axeViolations(page)
      t.same(
        violations,
        [],
        `${entry.name} at ${width}px: no violations${violations.length ? `\n${describeViolations(violations)}` : ''}`,
      )
    }
    await context.close()
  }
})
