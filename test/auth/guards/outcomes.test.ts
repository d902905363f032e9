import t from 'tap'
import { AUTH_BASE_PATH } from '../../../src/auth/better-auth.ts'
import { readAuthCall } from '../../../src/auth/guards/call.ts'
import { outcomeOf, outcomesGuard } from '../../../src/auth/guards/outcomes.ts'
import { AuthBusy, AuthUnavailable, ClientGone } from '../../../src/http/errors.ts'
import { AuthOutcomes, OUTCOMES } from '../../../src/metrics/auth-outcomes.ts'

const counts = (a: Float64Array) =>
  Object.fromEntries(OUTCOMES.map((o, i) => [o, a[i]]).filter(([, n]) => n !== 0))

/** Runs one call to `endpoint` through the guard; Better Auth answers `answer` (or throws it). */
async function through(outcomes: AuthOutcomes, endpoint: string, answer: number | Error) {
  const call = await readAuthCall(
    new Request(`http://gw.test${AUTH_BASE_PATH}${endpoint}`, { method: 'POST', body: '{}' }),
  )
  return outcomesGuard(outcomes)(call, async () => {
    if (answer instanceof Error) throw answer
    return new Response(null, { status: answer })
  })
}

t.test('each answer of a sign-in, by outcome', async (t) => {
  const rows: { name: string; answer: number | Error; outcome: string }[] = [
    { name: '200', answer: 200, outcome: 'success' },
    { name: '401 wrong email or password', answer: 401, outcome: 'bad_credentials' },
    { name: '429 a limit', answer: 429, outcome: 'throttled' },
    { name: 'AuthBusy (queue full)', answer: new AuthBusy(), outcome: 'refused' },
    { name: 'ClientGone (left while queued)', answer: new ClientGone(), outcome: 'refused' },
    { name: '400 malformed', answer: 400, outcome: 'rejected' },
    { name: '403 email not verified', answer: 403, outcome: 'rejected' },
    { name: '500 database down', answer: 500, outcome: 'error' },
    { name: 'another error thrown', answer: new AuthUnavailable(), outcome: 'error' },
  ]
  for (const row of rows) {
    const outcomes = new AuthOutcomes()
    const done = through(outcomes, '/sign-in/email', row.answer)
    if (row.answer instanceof Error) await t.rejects(done, row.answer, `${row.name}: rethrown`)
    else t.equal((await done).status, row.answer, `${row.name}: answer passed on`)
    t.same(counts(outcomes.signIns), { [row.outcome]: 1 }, `${row.name} → ${row.outcome}`)
    t.same(counts(outcomes.signUps), {}, `${row.name}: not a sign-up`)
    t.equal(outcomes.passwordThrottled, row.answer === 429 ? 1 : 0)
  }
})

t.test('sign-ups, other password requests, and calls that hash nothing', async (t) => {
  const outcomes = new AuthOutcomes()
  await through(outcomes, '/sign-up/email', 200)
  await through(outcomes, '/sign-up/email', 422)
  await through(outcomes, '/sign-up/email', 401)
  t.same(counts(outcomes.signUps), { success: 1, rejected: 2 }, 'a sign-up has no bad credentials')
  await through(outcomes, '/change-password', 429)
  t.equal(outcomes.passwordThrottled, 1, 'a throttled password change counts as a throttled password request')
  await through(outcomes, '/get-session', 429)
  t.equal(outcomes.passwordThrottled, 1, 'a call that hashes nothing is not a password request')
  t.same(counts(outcomes.signIns), {}, 'and none of these is a sign-in')
  t.same(
    AuthOutcomes.samples(outcomes.signUps, false).map((s) => s.labels.outcome),
    ['success', 'throttled', 'refused', 'rejected', 'error'],
  )
  t.equal(AuthOutcomes.samples(outcomes.signIns, true).length, OUTCOMES.length)
})

t.test('outcomeOf: any 2xx is a success', async (t) => {
  t.equal(outcomeOf(204, true), 'success')
  t.equal(outcomeOf(302, true), 'rejected')
})
