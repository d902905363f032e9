// When the primary replaces a dead worker, and when it gives up.
import t from 'tap'
import { RestartPolicy } from '../../src/cluster/restart-policy.ts'

t.test('a worker that dies before listening at first start ends the primary at once', async (t) => {
  const policy = new RestartPolicy()
  const decision = policy.died(true)
  t.equal(decision.action, 'give-up')
  t.match(decision, { reason: /first start/ })
})

t.test('deaths after serving are replaced, later when they come close together', async (t) => {
  let now = 0
  const policy = new RestartPolicy({ baseDelayMs: 100, maxDelayMs: 1000, windowMs: 60_000, now: () => now })
  policy.started()
  const delays = [1, 2, 3, 4, 5].map(() => {
    now += 1000
    const d = policy.died(false)
    return d.action === 'replace' ? d.delayMs : -1
  })
  t.same(delays, [100, 200, 400, 800, 1000], 'doubling, capped')
  now += 60_001
  t.same(policy.died(false), { action: 'replace', delayMs: 100 }, 'a quiet minute forgets the earlier deaths')
})

t.test('replacements that keep dying before they listen: given up after the limit, not looped', async (t) => {
  const policy = new RestartPolicy({ maxStartupFailures: 3, now: () => 0 })
  policy.started()
  t.equal(policy.died(false).action, 'replace', 'a crash while serving')
  t.equal(policy.died(true).action, 'replace', 'its replacement fails to start: 1')
  t.equal(policy.died(true).action, 'replace', '2')
  policy.started()
  t.equal(policy.died(true).action, 'replace', 'one listened in between: the count starts again')
  t.equal(policy.died(true).action, 'replace')
  const last = policy.died(true)
  t.equal(last.action, 'give-up')
  t.match(last, { reason: /3 replacement workers in a row/ })
})
