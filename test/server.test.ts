// src/server.ts as an operator runs it: a real process, real signals.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startEchoUpstream } from './fixtures/echo-upstream.ts'

const SERVER = new URL('../src/server.ts', import.meta.url).pathname

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    // A clean environment: nothing from the developer's shell leaks in.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // tap instruments child processes too; this one runs under plain tsx,
      // whose source maps differ from tap's loader, and merging the two
      // corrupts the coverage report (false 100% or comments "uncovered").
      _TAPJS_PROCESSINFO_COVERAGE_: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => {
    stdout += d
  })
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  return { child, output: () => ({ stdout, stderr }) }
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const [code] = await once(child, 'exit')
  return code as number | null
}

t.test('a bad configuration stops the process before it listens, listing every problem', async (t) => {
  const { child, output } = start({
    PORT: 'eighty',
    PUBLIC_URL: 'ftp://example.com',
    DATABASE_URL: 'mysql://db/x',
    LOG_LEVEL: 'loud',
  })
  t.equal(await exitOf(child), 78)
  const { stderr } = output()
  for (const name of ['PORT', 'PUBLIC_URL', 'DATABASE_URL', 'LOG_LEVEL']) t.match(stderr, name)
  t.equal(stderr.match(/invalid configuration/g)?.length, 1, 'one message')
})

t.test('starts on the embedded database, keeps its secret, drains on SIGTERM', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-server-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const api = await startEchoUpstream()
  t.teardown(() => api.close())
  const { child, output } = start({ PORT: '0', DATA_DIR: dataDir, API_UPSTREAM_URL: api.url })
  t.teardown(() => child.kill('SIGKILL'))

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = output().stdout.match(/listening at http:\/\/127\.0\.0\.1:(\d+)/)
      if (match) {
        clearInterval(timer)
        resolve(Number(match[1]))
      }
      if (child.exitCode !== null) {
        clearInterval(timer)
        reject(new Error(`exited early: ${output().stderr}`))
      }
    }, 50)
  })
  const lines = output()
    .stdout.trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  t.ok(
    lines.some((l) => l.level === 40 && /BETTER_AUTH_SECRET is not set/.test(l.msg)),
    'warns about the generated secret',
  )
  const secret = await readFile(join(dataDir, 'better-auth-secret'), 'utf8')
  t.ok(secret.trim().length >= 32, 'the generated secret is kept in DATA_DIR')
  t.ok(
    lines.find((l) => l.driver === 'pglite' && typeof l.startupMs === 'number'),
    'logs driver and start-up time',
  )

  t.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200)

  // A request in flight when SIGTERM arrives still completes.
  const inFlight = fetch(`http://127.0.0.1:${port}/api/__slow`)
  await new Promise((r) => setTimeout(r, 300))
  child.kill('SIGTERM')
  const res = await inFlight
  t.equal(res.status, 200, 'the in-flight request was drained, not cut')
  t.equal(await exitOf(child), 0, 'clean exit')
  t.match(output().stdout, /shutting down/)
  t.notMatch(output().stdout + output().stderr, /session_token=|"password"/, 'no credentials in the logs')
})
