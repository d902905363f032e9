// The fixed window each instance falls back to while Redis is down: the
// same arithmetic as the shared one, on a clock the test moves.
import t from 'tap'
import { LocalWindows } from '../../src/auth/shared-rate-limit.ts'

t.test('max requests per window, then a wait until the window ends, then a fresh window', async (t) => {
  let now = 1_000_000
  const windows = new LocalWindows(() => now)
  const rule = { window: 10, max: 3 }
  const answers = [1, 2, 3, 4].map(() => windows.consume('10.0.0.1/sign-in', rule))
  t.same(
    answers.map((a) => a.allowed),
    [true, true, true, false],
  )
  t.equal(answers[3]?.retryAfter, 10, 'Retry-After: the rest of the window, in seconds')
  now += 4_500
  t.equal(windows.consume('10.0.0.1/sign-in', rule).retryAfter, 6, 'rounded up')
  t.ok(windows.consume('10.0.0.2/sign-in', rule).allowed, 'another key has its own window')
  now += 5_500
  t.ok(windows.consume('10.0.0.1/sign-in', rule).allowed, 'a new window once it ends')
})

t.test('a flood of distinct keys stays bounded (oldest first) and never slows a request', async (t) => {
  const windows = new LocalWindows(() => 0)
  const rule = { window: 60, max: 1 }
  windows.consume('first', rule)
  t.equal(windows.consume('first', rule).allowed, false, 'first is limited')
  for (let i = 0; i < 100_000; i++) windows.consume(`key-${i}`, rule)
  t.ok(windows.consume('first', rule).allowed, 'the oldest window was dropped to make room')
})
