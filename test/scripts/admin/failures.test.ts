// How the admin CLI fails, each way with its own exit code and one line on
// stderr: usage (64), configuration (78), a database that does not answer
// (69), the embedded database in use by a running gateway (75), and a
// Redis that does not answer (a warning: the database change stands).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { PGLITE_LOCK_FILE } from '../../../db/pglite-lock.ts'
import { freePort } from '../../../scripts/demo/ports.ts'
import { adminEnv, runAdmin } from '../../fixtures/admin-cli.ts'
import { createTestDatabase } from '../../fixtures/test-database.ts'

t.setTimeout(300_000)

const ROOT = new URL('../../../', import.meta.url).pathname
// Nothing may land in the checkout's own ./.data.
const DATA_DIR = mkdtempSync(join(tmpdir(), 'gw-admin-failures-'))
t.teardown(() => rm(DATA_DIR, { recursive: true, force: true }))
const NO_DATABASE = {
  PUBLIC_URL: 'http://localhost:3001',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x',
  DATA_DIR,
}

t.test('usage: help is 0, anything malformed 64 with the reason', async (t) => {
  let r = await runAdmin(['--help'], NO_DATABASE)
  t.equal(r.code, 0)
  for (const command of ['users', 'sessions', 'keys']) t.match(r.stdout, new RegExp(`^  ${command} `, 'm'))
  r = await runAdmin(['users', 'disable', '--help'], NO_DATABASE)
  t.equal(r.code, 0)
  t.match(r.stdout, /--reason <text>/, 'each command documents its options')
  t.match(r.stdout, /--json/, 'and --json')
  const rows: [string, string[], RegExp][] = [
    ['an unknown command', ['frob'], /^admin: unknown command 'frob'/],
    ['an unknown option', ['users', 'list', '--frob'], /^admin: unknown option '--frob'/],
    ['a missing argument', ['users', 'find'], /^admin: missing required argument 'email\|id'/],
    ['a group without its command', ['keys'], /Usage: admin keys/],
    ['a malformed --limit', ['users', 'list', '--limit', '0'], /argument '0' is invalid/],
  ]
  for (const [name, args, message] of rows) {
    r = await runAdmin(args, NO_DATABASE)
    t.equal(r.code, 64, `${name}: 64`)
    t.match(r.stderr, message, `${name}: says so`)
    t.equal(r.stdout, '', `${name}: nothing on stdout`)
  }
})

t.test('the package script runs it: npm run -s admin -- <command>', async (t) => {
  const child = spawn('npm', ['run', '-s', 'admin', '--', 'users', 'list', '--limit', 'x'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...NO_DATABASE },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const code = await new Promise((resolve) => child.once('close', resolve))
  t.equal(code, 64, 'npm passes the exit code on')
  t.match(stderr, /argument 'x' is invalid/)
})

t.test('configuration: 78 with every problem on one line, before any database', async (t) => {
  const r = await runAdmin(['users', 'list', '--json'], {
    ...NO_DATABASE,
    PUBLIC_URL: 'not a url',
    LOG_LEVEL: 'loud',
  })
  t.equal(r.code, 78)
  t.match(r.stderr, /^admin: invalid configuration: PUBLIC_URL .*; LOG_LEVEL must be one of .*\n$/)
  t.equal(r.stderr.split('\n').length, 2, 'one line')
  t.same(r.json<{ error: { exitCode: number } }>().error.exitCode, 78, '--json: the error on stdout')
  t.equal(
    (await runAdmin(['keys', 'rotate'], { ...NO_DATABASE, NODE_ENV: 'test' })).code,
    78,
    'NODE_ENV=test',
  )
})

t.test('database unreachable: 69, naming where without credentials', async (t) => {
  const port = await freePort()
  const env = {
    PUBLIC_URL: 'http://localhost:3001',
    DATABASE_URL: `postgres://admin:hunter2@127.0.0.1:${port}/gw`,
  }
  for (const args of [
    ['users', 'list'],
    ['users', 'disable', 'a@example.com'],
    ['keys', 'rotate', '--json'],
  ]) {
    const r = await runAdmin(args, env)
    t.equal(r.code, 69, `${args.join(' ')}: 69`)
    t.match(
      r.stderr,
      new RegExp(`^admin: database unreachable \\(pg at 127\\.0\\.0\\.1:${port}/gw\\): .*ECONNREFUSED`),
    )
    t.notMatch(r.stderr + r.stdout, /hunter2/, 'the password is never printed')
  }
  t.same(readdirSync(DATA_DIR), [], 'and nothing was written (no secret generated for nothing)')
})

t.test('the embedded database belongs to one process: a running gateway’s is refused (75)', async (t) => {
  const db = await createTestDatabase('pglite')
  t.teardown(() => db.close())
  const port = await freePort()
  const env = adminEnv(db)
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  })
  t.teardown(() => server.kill('SIGKILL'))
  let up = false
  for (let i = 0; i < 300 && !up; i++) {
    up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (res) => res.ok,
      () => false,
    )
    if (!up) await sleep(100)
  }
  t.ok(up, 'the gateway runs on the data dir')

  let r = await runAdmin(['users', 'list', '--json'], env)
  t.equal(r.code, 75, 'the CLI is refused')
  t.match(r.stderr, new RegExp(`^admin: the embedded database in .* is in use by process ${server.pid} `))
  t.match(r.stderr, /point DATABASE_URL at Postgres/, 'and told what to do')
  t.equal(r.json<{ error: { exitCode: number } }>().error.exitCode, 75)
  t.ok((await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 'the gateway is unharmed')

  // A crash leaves the lock behind, naming a pid that no longer runs.
  server.kill('SIGKILL')
  await new Promise((resolve) => server.once('exit', resolve))
  t.ok(existsSync(join(db.dataDir, PGLITE_LOCK_FILE)), 'the dead gateway’s lock is still there')
  r = await runAdmin(['users', 'list', '--json'], env)
  t.equal(r.code, 0, `the CLI takes the stale lock over: ${r.stderr}`)
  t.same(r.json(), { users: [] })
  t.notOk(existsSync(join(db.dataDir, PGLITE_LOCK_FILE)), 'and leaves none behind')
})

t.test('Redis unreachable: the change stands, and the CLI says what it could not do', async (t) => {
  const db = await createTestDatabase('pg')
  t.teardown(() => db.close())
  const env = adminEnv(db, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` })
  await runAdmin(['users', 'create', '--email', 'r@example.com', '--name', 'R'], env)
  const r = await runAdmin(['users', 'disable', 'r@example.com', '--json'], env)
  t.equal(r.code, 0)
  t.ok(r.json<{ user: { disabledAt: string } }>().user.disabledAt, 'disabled')
  t.same(r.json<{ revocation: unknown }>().revocation, { published: false, instances: null })
  t.match(r.stderr, /^admin: could not reach Redis at 127\.0\.0\.1:\d+ .*SESSION_CACHE_TTL_MS \(5000 ms\)\n$/)
})
