// What the account page calls each device, from real browsers' User-Agents
// and from what a client may send instead.
import t from 'tap'
import { type DeviceDescription, describeUserAgent } from '../../../routes/pages/user-agent.ts'

const ROWS: { name: string; ua: string | null | undefined; expected: DeviceDescription }[] = [
  {
    name: 'Chrome on a Mac',
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    expected: { label: 'Chrome on macOS', kind: 'Desktop' },
  },
  {
    name: 'Safari on an iPhone',
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    expected: { label: 'Safari on iOS', kind: 'iPhone' },
  },
  {
    name: 'Safari on an iPad',
    ua: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    expected: { label: 'Safari on iOS', kind: 'iPad' },
  },
  {
    name: 'Chrome on Android',
    ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
    expected: { label: 'Chrome on Android', kind: 'Mobile' },
  },
  {
    name: 'Firefox on Linux',
    ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    expected: { label: 'Firefox on Linux', kind: 'Desktop' },
  },
  {
    name: 'Edge on Windows',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    expected: { label: 'Microsoft Edge on Windows', kind: 'Desktop' },
  },
  { name: 'curl: its product token', ua: 'curl/8.5.0', expected: { label: 'curl', kind: undefined } },
  {
    name: 'python-requests',
    ua: 'python-requests/2.31.0',
    expected: { label: 'python-requests', kind: undefined },
  },
  {
    name: 'an unknown browser (every one starts "Mozilla/5.0")',
    ua: 'Mozilla/5.0 (compatible; SomethingNew)',
    expected: { label: 'Unknown browser', kind: undefined },
  },
  {
    name: 'a sentence instead of a User-Agent is not repeated',
    ua: 'Your account is compromised, call +1 555 0100',
    expected: { label: 'Unknown browser', kind: undefined },
  },
  { name: 'empty', ua: '', expected: { label: 'Unknown device' } },
  { name: 'blank', ua: '   ', expected: { label: 'Unknown device' } },
  { name: 'not recorded (null)', ua: null, expected: { label: 'Unknown device' } },
  { name: 'not recorded (undefined)', ua: undefined, expected: { label: 'Unknown device' } },
]

t.test('device descriptions', async (t) => {
  for (const row of ROWS) t.strictSame(describeUserAgent(row.ua), row.expected, row.name)
})

t.test('a huge User-Agent is parsed by its prefix, quickly', async (t) => {
  const huge = `Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 ${'('.repeat(16_000)}`
  const started = performance.now()
  t.strictSame(describeUserAgent(huge), { label: 'Firefox on Linux', kind: 'Desktop' })
  t.ok(performance.now() - started < 200, 'well under the time of a page view')
})
