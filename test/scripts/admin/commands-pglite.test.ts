// Every admin command as an operator runs it, a process of its own, on the
// embedded database: a PGlite data dir of its own that this test process
// never opens (it would hold the lock the CLI must take). The story, and
// what each step must print and exit with, is test/fixtures/admin-story.ts.
import t from 'tap'
import { story } from '../../fixtures/admin-story.ts'

// Some forty processes, each starting tsx and PGlite: longer than a unit test.
t.setTimeout(480_000)

t.test('the embedded database (PGlite)', async (t) => {
  await story(t, 'pglite')
})
