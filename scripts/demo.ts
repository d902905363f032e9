// `npm run demo`: the whole product on one origin, http://localhost:3001 —
// the gateway on its embedded database, the Docusaurus example (installed
// and built when missing or stale) as /docs with /docs/private protected, and
// the FastAPI example under uvicorn as /api. Prints one block when all of it
// answers; Ctrl-C stops everything it started. State (accounts, the API's
// items, logs) lives in .demo/, apart from `npm start`'s .data/.
// Linux and macOS: process groups and POSIX signals (not Windows).
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DOCS_SITE, DOCS_SITE_STEPS, staleSteps } from './demo/docs-site.ts'
import { freePort, portProblem } from './demo/ports.ts'
import { type Progress, progress } from './demo/progress.ts'
import { findPython } from './demo/python.ts'
import { readyBlock } from './demo/ready-block.ts'
import { releaseRunLock, takeRunLock } from './demo/run-lock.ts'
import { apiService, type DemoLayout, docsService, gatewayService } from './demo/services.ts'
import { type Supervised, Supervisor } from './demo/supervisor.ts'
import { waitUntilUp } from './demo/wait-until-up.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STATE = join(ROOT, '.demo')
const LOCK = join(STATE, 'lock')
const STOP_GRACE_MS = 10_000
const READY_TIMEOUT_MS = 120_000
// A terminal's Ctrl-C may reach the demo twice (from the terminal, and
// forwarded by npm): a second signal counts only after this long.
const SAME_KEYPRESS_MS = 300

const started = Date.now()
const port = /^\d+$/.test(process.env.PORT ?? '') ? Number(process.env.PORT) : 3001
const origin = `http://localhost:${port}`
// Not the caller's NODE_ENV (npm ci would skip the docs site's build tools
// under production), nor a DOCS_SECTION that would build one section twice.
const { NODE_ENV: _, DOCS_SECTION: __, ...inherited } = process.env
const baseEnv = { ...inherited, NO_UPDATE_NOTIFIER: '1', BROWSER: 'none' }

const supervisor = new Supervisor((child, code, signal) => void crashed(child, code, signal))
let stopping = false
let line: Progress | undefined

function lastLines(file: string, count = 15): string {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
  return lines
    .slice(-count)
    .map((text) => `    ${text}`)
    .join('\n')
}

async function stop(exitCode: number): Promise<never> {
  stopping = true
  line?.done('stopped')
  await supervisor.stop(STOP_GRACE_MS)
  releaseRunLock(LOCK)
  process.exit(exitCode)
}

async function crashed(child: Supervised, code: number | null, signal: NodeJS.Signals | null) {
  if (stopping) return
  const how = signal === null ? `exit code ${code}` : signal
  console.error(
    `\n✖ ${child.spec.name} stopped (${how}); stopping the demo. The end of ${child.spec.logFile}:`,
  )
  console.error(lastLines(child.spec.logFile))
  await stop(1)
}

let firstSignalAt = 0
function onSignal(signal: NodeJS.Signals) {
  if (!stopping) {
    firstSignalAt = Date.now()
    console.log(`\nStopping the demo (${signal})… Ctrl-C again to kill everything now.`)
    void stop(0)
  } else if (signal === 'SIGINT' && Date.now() - firstSignalAt > SAME_KEYPRESS_MS) {
    console.log('Killing everything now.')
    supervisor.killAll('SIGKILL')
    releaseRunLock(LOCK)
    process.exit(130)
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
// npm runs the demo through `exec` (package.json), so npm is the parent; if
// npm is killed outright nothing tells the demo, which would run on
// parentless. It checks instead.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) onSignal('SIGHUP')
}, 1000).unref()

async function prepareDocsSite(): Promise<void> {
  const labels = { install: 'Docs site: installing packages (first run)', build: 'Docs site: building' }
  for (const step of staleSteps(DOCS_SITE, origin)) {
    const current = progress(labels[step])
    line = current
    const task = supervisor.start({
      name: `npm ${DOCS_SITE_STEPS[step].join(' ')}`,
      command: 'npm',
      args: DOCS_SITE_STEPS[step],
      cwd: DOCS_SITE,
      // Canonical links and sitemap.xml carry the origin the demo serves.
      env: { ...baseEnv, PUBLIC_URL: origin },
      logFile: join(STATE, 'logs', `docs-${step}.log`),
      task: true,
    })
    const code = await task.exited
    if (stopping) return
    if (code !== 0) {
      current.done('failed')
      line = undefined
      console.error(`✖ ${task.spec.name} failed in examples/docs-site. The end of ${task.spec.logFile}:`)
      console.error(lastLines(task.spec.logFile))
      await stop(1)
    }
    current.done()
    line = undefined
  }
}

/** Resolves when every part answers, directly and through the gateway. */
async function ready(layout: DemoLayout, gateway: Supervised, docs: Supervised, api?: Supervised) {
  const gatewayUrl = `http://127.0.0.1:${port}`
  const docsUrl = `http://127.0.0.1:${layout.docsPort}`
  const apiUrl = `http://127.0.0.1:${layout.apiPort}`
  await Promise.all([
    waitUntilUp(`${gatewayUrl}/readyz`, () => gateway.ended, READY_TIMEOUT_MS),
    waitUntilUp(`${docsUrl}/docs/`, () => docs.ended, READY_TIMEOUT_MS),
    api && waitUntilUp(`${apiUrl}/api/public`, () => api.ended, READY_TIMEOUT_MS),
  ])
  // The wiring, not only the parts.
  await waitUntilUp(`${gatewayUrl}/docs/`, () => gateway.ended || docs.ended, READY_TIMEOUT_MS)
  if (api) await waitUntilUp(`${gatewayUrl}/api/public`, () => gateway.ended || api.ended, READY_TIMEOUT_MS)
}

async function main() {
  if (process.env.PORT && String(port) !== process.env.PORT.trim()) {
    console.error(`PORT must be a port number, not "${process.env.PORT}"`)
    process.exit(1)
  }
  const problem = port < 1 || port > 65_535 ? `PORT ${port} is not a port number` : await portProblem(port)
  if (problem !== undefined) {
    console.error(
      `✖ ${problem}. Stop what holds it, or run the demo elsewhere: PORT=${port + 1} npm run demo`,
    )
    process.exit(1)
  }
  mkdirSync(join(STATE, 'logs'), { recursive: true })
  const locked = takeRunLock(LOCK, origin)
  if (locked !== undefined) {
    console.error(`✖ ${locked}.`)
    process.exit(1)
  }
  console.log(`Starting the auth gateway demo on ${origin} (logs in .demo/logs/)`)
  const python = findPython(baseEnv)
  if ('missing' in python) console.warn(`\n! ${python.missing}\n`)

  await prepareDocsSite()
  if (stopping) return
  const layout: DemoLayout = {
    root: ROOT,
    state: STATE,
    origin,
    port,
    docsPort: await freePort(),
    apiPort: await freePort(),
    env: baseEnv,
  }
  const docs = supervisor.start(docsService(layout))
  const api = 'python' in python ? supervisor.start(apiService(layout, python.python)) : undefined
  const gateway = supervisor.start(gatewayService(layout))
  await ready(layout, gateway, docs, api)
  if (stopping) return
  console.log(
    readyBlock({
      origin,
      seconds: (Date.now() - started) / 1000,
      docsUrl: `http://127.0.0.1:${layout.docsPort}`,
      apiUrl: api && `http://127.0.0.1:${layout.apiPort}`,
    }),
  )
}

main().catch(async (err) => {
  // A child that exited has already been reported by crashed(); only a timeout is news here.
  if (stopping) return
  console.error(`✖ ${err instanceof Error ? err.message : err}`)
  await stop(1)
})
