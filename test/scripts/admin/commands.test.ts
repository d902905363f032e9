// Every admin command as an operator runs it, a process of its own, on the
// driver under test (the story: test/fixtures/admin-story.ts): PGlite in a
// data dir of its own that this test process never opens (it would hold the
// lock the CLI must take), or a fresh Postgres database through pg or Neon.
// On Postgres the account the CLI created then signs in on a gateway running
// beside it, and its session is counted and revoked by the CLI; PGlite
// cannot be shared with a running gateway (failures.test.ts: exit 75).
import t from 'tap'
import { runAdmin } from '../../fixtures/admin-cli.ts'
import { type Json, PASSWORD, story } from '../../fixtures/admin-story.ts'
import { driverUnderTest } from '../../fixtures/test-database.ts'
import { buildHarness, signIn } from '../../helper.ts'

// Some forty processes, each starting tsx and the database: longer than a unit test.
t.setTimeout(480_000)

t.test(`every command on ${driverUnderTest}`, async (t) => {
  const { db, env, ada } = await story(t, driverUnderTest)
  if (driverUnderTest === 'pglite') return
  const { app } = await buildHarness(t, { db })
  t.equal(
    (await signIn(app, { email: ada.email, password: PASSWORD })).statusCode,
    200,
    'the password signs in on a running gateway',
  )
  let r = await runAdmin(['users', 'find', ada.email, '--json'], env)
  t.equal(r.json<Json>().user.liveSessions, 1, 'find counts the live session')
  r = await runAdmin(['sessions', 'revoke', ada.email], env)
  t.match(r.stdout, /^deleted 1 session\(s\) of ada@example\.com; running gateways not told/m)
  t.equal(r.code, 0)
})
