// What WORKERS refuses, and how a cluster that cannot start ends: with PGlite
// (one process only) the process exits 78 before forking, naming the fix; a
// database that refuses every connection makes the primary exit non-zero
// after its first workers fail, instead of forking replacements for ever.
import t from 'tap'
import { freePort } from '../../scripts/demo/ports.ts'
import { startServer, until } from '../fixtures/cluster.ts'
import { SECRET } from '../helper.ts'

t.test('WORKERS=2 with PGlite exits 78 with the reason and the fix, before forking', async (t) => {
  const gateway = startServer({ WORKERS: '2', PORT: String(await freePort()), DATA_DIR: t.testdir() })
  t.teardown(() => gateway.child.kill('SIGKILL'))
  t.equal(await gateway.exited(), 78, 'EX_CONFIG')
  t.match(
    gateway.output(),
    /invalid configuration:\n {2}- WORKERS=2 needs DATABASE_URL: the embedded database \(PGlite\) serves one process only/,
    'one message naming the fix',
  )
  t.notMatch(gateway.output(), /worker started/, 'no worker was forked')
})

t.test('a database that refuses every worker: the primary exits 1, no restart loop', async (t) => {
  const closed = await freePort() // nothing listens there
  const gateway = startServer({
    WORKERS: '2',
    PORT: String(await freePort()),
    DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nothing`,
    BETTER_AUTH_SECRET: SECRET,
    DATA_DIR: t.testdir(),
  })
  t.teardown(() => gateway.child.kill('SIGKILL'))
  t.ok(await until(() => gateway.child.exitCode !== null, 60_000), 'it ends by itself')
  t.equal(await gateway.exited(), 1, 'exits non-zero')
  const lines = gateway.lines()
  t.equal(
    lines.filter((l) => l.msg === 'worker started').length,
    2,
    'the first two workers only: none replaced',
  )
  t.ok(
    lines.some((l) => /^giving up: a worker died before it could listen at first start/.test(l.msg)),
    'says why it gave up',
  )
})

t.test('WORKERS=1 is one plain process: no primary, no worker', async (t) => {
  const port = await freePort()
  const gateway = startServer({ WORKERS: '1', PORT: String(port), DATA_DIR: t.testdir(), LOG_LEVEL: 'info' })
  t.teardown(() => gateway.child.kill('SIGKILL'))
  t.ok(await until(() => gateway.lines().some((l) => /^gateway ready on/.test(l.msg)), 60_000), 'ready')
  const ready = gateway.lines().find((l) => /^gateway ready on/.test(l.msg))
  t.equal(ready?.pid, gateway.child.pid, 'the process started is the one that listens')
  t.notMatch(gateway.output(), /worker started/, 'no worker forked')
  gateway.child.kill('SIGTERM')
  t.equal(await gateway.exited(), 0, 'clean exit')
})
