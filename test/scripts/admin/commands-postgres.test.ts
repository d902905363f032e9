// Every admin command as an operator runs it, a process of its own, on a
// fresh Postgres database (the story: test/fixtures/admin-story.ts); then
// the account it created signs in on the gateway, and its session is counted
// and revoked by the CLI.
import t from 'tap'
import { runAdmin } from '../../fixtures/admin-cli.ts'
import { type Json, PASSWORD, story } from '../../fixtures/admin-story.ts'
import { buildHarness, signIn } from '../../helper.ts'

t.setTimeout(480_000)

t.test('Postgres, and the accounts it made work on the gateway', async (t) => {
  const { db, env, ada } = await story(t, 'pg')
  const { app } = await buildHarness(t, { db })
  t.equal(
    (await signIn(app, { email: ada.email, password: PASSWORD })).statusCode,
    200,
    'the password signs in',
  )
  let r = await runAdmin(['users', 'find', ada.email, '--json'], env)
  t.equal(r.json<Json>().user.liveSessions, 1, 'find counts the live session')
  r = await runAdmin(['sessions', 'revoke', ada.email], env)
  t.match(r.stdout, /^deleted 1 session\(s\) of ada@example\.com; running gateways not told/m)
  t.equal(r.code, 0)
})
