// `npm run demo` on a fresh clone, as a newcomer meets it: it installs and
// builds the docs example, prints its ready block, and the browser signs up
// through the real pages, sees its name in the Docusaurus navbar and itself
// at /api/me (FastAPI). Then every way the demo can end: Ctrl-C (the whole
// terminal process group, as a terminal sends it), a child crashing, Ctrl-C
// twice, the demo itself or npm killed outright. After each, nothing it started
// still runs and its ports are free. Last, without Python's FastAPI: the
// message says what to install and the rest still runs.
// Times to ready and the gateway's RSS go to test/artifacts/demo-numbers.json.

import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { freePort, portIsFree } from '../../scripts/demo/ports.ts'
import { commandLine, running } from '../fixtures/processes.ts'
import { ARTIFACTS, launchChromium, navbarState } from './fixtures/browser.ts'
import { type DemoRun, freshClone, startDemo } from './fixtures/demo-run.ts'

const USER = { name: 'Grace Hopper', email: 'grace@example.com', password: 'compiler in 1952 first' }
const numbers: Record<string, number> = {}

/** Waits (up to `ms`) for the run to end; fails the test if it does not. */
async function ended(t: Test, run: DemoRun, ms = 30_000) {
  const result = await Promise.race([run.exited, sleep(ms).then(() => undefined)])
  t.ok(result, `npm run demo exited within ${ms / 1000} s`)
  return result
}

/** Nothing the run started still runs, and its ports (gateway, docs, API) are free. */
async function nothingLeft(t: Test, run: DemoRun, gatewayPort: number) {
  // The group is gone at once; give the kernel's parent-death signals a moment.
  for (let i = 0; i < 50 && run.started.some(running); i++) await sleep(100)
  const survivors = run.started.filter(running).map((pid) => `${pid} ${commandLine(pid)}`)
  t.same(survivors, [], `none of the ${run.started.length} processes it started survives`)
  const ports = [gatewayPort, run.docsPort, ...(run.apiPort === undefined ? [] : [run.apiPort])]
  for (const port of ports) t.ok(await portIsFree(port), `port ${port} is free`)
}

/** The process under the demo whose program is `program` (not a shell whose script mentions it). */
function pidOf(run: DemoRun, program: string, argument: string): number {
  const pid = run.started.find((p) => {
    const [first, ...rest] = commandLine(p).split(' ')
    return first?.endsWith(program) && rest.some((arg) => arg.includes(argument))
  })
  if (pid === undefined) throw new Error(`no ${program} … ${argument} under the demo`)
  return pid
}

/** Sends `signal` to the run's process group, as a terminal's Ctrl-C does; false if it is gone. */
function signalGroup(run: DemoRun, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-run.pid, signal)
    return true
  } catch {
    return false
  }
}

t.test('npm run demo in a fresh clone', async (t) => {
  const { dir, npmCiSeconds } = await freshClone(t)
  numbers.npmCiSeconds = npmCiSeconds
  const port = await freePort()
  const origin = `http://localhost:${port}`
  const env = { PORT: String(port) }

  await t.test('first run: install, build, sign up, docs and API know you, Ctrl-C', async (t) => {
    // A newcomer's leftovers from other projects, in .env and the shell:
    // the demo runs its own configuration whatever they say.
    await writeFile(
      join(dir, '.env'),
      [
        'DATABASE_URL=postgres://nobody@127.0.0.1:1/nothing',
        'BETTER_AUTH_SECRET=short',
        'ASSERTION_AUDIENCE=https://elsewhere.example',
        'NODE_ENV=production',
      ].join('\n'),
    )
    const run = await startDemo(t, dir, {
      ...env,
      PUBLIC_URL: 'https://example.com',
      DOCS_SECTION: 'private',
    })
    numbers.firstRunReadySeconds = run.readySeconds
    t.match(run.output(), /Docs site: installing packages/, 'it installs the docs site, with a progress line')
    t.match(run.output(), /Docs site: building/, 'and builds it')
    t.match(run.output(), new RegExp(`Open ${origin}/docs/`), 'the ready block names the one origin')
    t.ok(run.apiPort, 'FastAPI runs behind it')

    const browser = await launchChromium(t)
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${origin}/auth/sign-up?returnTo=/docs/`)
    await page.getByLabel('Name').fill(USER.name)
    await page.getByLabel('Email').fill(USER.email)
    await page.getByLabel('Password', { exact: true }).fill(USER.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${origin}/docs/`)
    t.equal(await navbarState(page), USER.name, 'signed up, back on the docs: the navbar shows the name')

    const me = await page.goto(`${origin}/api/me`)
    t.equal(me?.status(), 200, '/api/me answers')
    t.match(
      JSON.parse(await page.locator('body').innerText()),
      { email: USER.email, name: USER.name },
      'FastAPI knows who is asking',
    )
    const privatePage = await page.goto(`${origin}/docs/private/`)
    t.equal(privatePage?.status(), 200, 'the private runbooks open, signed in')
    t.equal(new URL(page.url()).pathname, '/docs/private/', 'without a detour to sign in')

    const second = spawnSync('npm', ['run', 'demo'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PORT: String(await freePort()) },
    })
    t.equal(second.status, 1, 'a second demo in the same checkout is refused')
    t.match(
      second.stderr,
      /another demo is running from this directory \(pid \d+, http:\/\/localhost:\d+\)/,
      'naming the first',
    )

    const gateway = pidOf(run, 'node', 'src/server.ts')
    const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${gateway}/status`, 'utf8'))
    numbers.gatewayRssMb = Number(rss?.[1]) / 1024
    t.comment(
      `ready in ${run.readySeconds.toFixed(1)} s (npm ci ${npmCiSeconds.toFixed(1)} s before), gateway RSS ${numbers.gatewayRssMb.toFixed(0)} MB`,
    )

    signalGroup(run, 'SIGINT')
    await ended(t, run)
    t.match(run.output(), /Stopping the demo/, 'Ctrl-C stops the demo')
    await nothingLeft(t, run, port)
  })

  await t.test('second run reuses the build; a child that crashes takes the rest down', async (t) => {
    const run = await startDemo(t, dir, env, 120_000)
    numbers.secondRunReadySeconds = run.readySeconds
    t.notMatch(run.output(), /installing|building/, 'no install, no build the second time')
    const ok = await request(`${origin}/docs/`)
    await ok.body.dump()
    t.equal(ok.statusCode, 200, 'the docs answer')

    process.kill(pidOf(run, 'python3', 'uvicorn'), 'SIGKILL')
    const result = await ended(t, run)
    t.not(result?.code, 0, 'the demo exits with a failure')
    t.match(
      run.output(),
      /FastAPI \(uvicorn\) stopped \(SIGKILL\); stopping the demo/,
      'and says which child stopped',
    )
    await nothingLeft(t, run, port)
  })

  await t.test('Ctrl-C twice kills everything at once', async (t) => {
    const run = await startDemo(t, dir, env, 120_000)
    // A request whose body never finishes holds the gateway's graceful stop
    // (it drains in-flight requests) for its whole grace period.
    const upload = connect(port, '127.0.0.1')
    await once(upload, 'connect')
    upload.on('error', () => {})
    upload.write(
      `POST /api/items HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"`,
    )
    await sleep(300)
    t.ok(signalGroup(run, 'SIGINT'), 'Ctrl-C')
    await sleep(500) // a second keypress, not npm's copy of the first
    t.ok(signalGroup(run, 'SIGINT'), 'the demo is still stopping when Ctrl-C comes again')
    const pressed = Date.now()
    await ended(t, run, 5000)
    t.ok(Date.now() - pressed < 5000, 'it ends at once, not after the grace period')
    t.match(run.output(), /Killing everything now/, 'and says so')
    upload.destroy()
    await nothingLeft(t, run, port)
  })

  await t.test('the demo killed outright (SIGKILL) leaves nothing behind', async (t) => {
    const run = await startDemo(t, dir, env, 120_000)
    process.kill(pidOf(run, 'node', 'scripts/demo.ts'), 'SIGKILL')
    await ended(t, run)
    await nothingLeft(t, run, port)
  })

  await t.test('npm killed outright (SIGKILL): the demo notices it has no parent and stops', async (t) => {
    const run = await startDemo(t, dir, env, 120_000)
    process.kill(run.pid, 'SIGKILL')
    await ended(t, run)
    await nothingLeft(t, run, port)
  })

  await t.test('without Python’s FastAPI: what to install, and the rest runs', async (t) => {
    const run = await startDemo(t, dir, { ...env, PYTHON: '/bin/false' }, 120_000)
    t.match(
      run.output(),
      /apt-get install python3-fastapi python3-uvicorn python3-jwt python3-cryptography/,
      'names the Debian packages',
    )
    t.match(run.output(), /pip install -r examples\/fastapi\/requirements\.txt/, 'and the pip command')
    t.equal(run.apiPort, undefined, 'no API behind it')
    const docs = await request(`${origin}/docs/`)
    await docs.body.dump()
    t.equal(docs.statusCode, 200, 'the docs still answer')
    const api = await request(`${origin}/api/me`)
    await api.body.dump()
    t.equal(api.statusCode, 502, '/api answers 502')
    signalGroup(run, 'SIGINT')
    await ended(t, run)
    await nothingLeft(t, run, port)
  })

  await mkdir(ARTIFACTS, { recursive: true })
  await writeFile(`${ARTIFACTS}demo-numbers.json`, `${JSON.stringify(numbers, null, 2)}\n`)
})
