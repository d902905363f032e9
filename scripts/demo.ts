// `npm run demo`: the whole product on one origin, http://localhost:3001 —
// the gateway on its embedded database, the Docusaurus example (installed
// and built on first run) as /docs with /docs/private protected, and the
// FastAPI example under uvicorn as /api. Prints one block when all of it
// answers; Ctrl-C stops everything it started. State (accounts, the API's
// items, logs) lives in .demo/, apart from `npm start`'s .data/.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DOCS_SITE, DOCS_SITE_STEPS, staleSteps } from './demo/docs-site.ts'
import { freePort, portIsFree } from './demo/ports.ts'
import { progress } from './demo/progress.ts'
import { findPython } from './demo/python.ts'
import { readyBlock } from './demo/ready-block.ts'
import { type ChildSpec, type Supervised, Supervisor } from './demo/supervisor.ts'
import { waitUntilUp } from './demo/wait-until-up.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STATE = join(ROOT, '.demo')
const LOGS = join(STATE, 'logs')
const DOCUSAURUS = join(DOCS_SITE, 'node_modules', '@docusaurus', 'core', 'bin', 'docusaurus.mjs')
const STOP_GRACE_MS = 10_000
const READY_TIMEOUT_MS = 120_000
// npm forwards the terminal's SIGINT to its script, which the terminal has
// already signalled: one keypress arrives twice, a few milliseconds apart.
const SAME_KEYPRESS_MS = 300

const started = Date.now()
const port = Number(process.env.PORT ?? 3001)
const origin = `http://localhost:${port}`
// Neither npm's NODE_ENV=production (which would skip the docs site's build
// tools) nor anything else from the caller's NODE_ENV belongs in the demo.
const { NODE_ENV: _, ...inherited } = process.env
const baseEnv = { ...inherited, NO_UPDATE_NOTIFIER: '1', BROWSER: 'none' }

const supervisor = new Supervisor((child, code, signal) => void crashed(child, code, signal))
let stopping = false

function lastLines(file: string, count = 15): string {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
  return lines
    .slice(-count)
    .map((line) => `    ${line}`)
    .join('\n')
}

async function stop(exitCode: number): Promise<never> {
  stopping = true
  await supervisor.stop(STOP_GRACE_MS)
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
    process.exit(130)
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)
// If whoever started the demo is killed outright (npm, a shell), nothing
// tells the demo: it would go on running, parentless. It checks instead.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) onSignal('SIGHUP')
}, 1000).unref()

function log(name: string): string {
  return join(LOGS, `${name}.log`)
}

async function prepareDocsSite(): Promise<void> {
  const labels = {
    install: 'Docs site: installing its packages (first run only)',
    build: 'Docs site: building the public and private sections (again only when its sources change)',
  }
  for (const step of staleSteps()) {
    const line = progress(labels[step])
    const task: ChildSpec = {
      name: `npm ${DOCS_SITE_STEPS[step].join(' ')}`,
      command: 'npm',
      args: DOCS_SITE_STEPS[step],
      cwd: DOCS_SITE,
      env: baseEnv,
      logFile: log(`docs-${step}`),
      task: true,
    }
    const code = await supervisor.start(task).exited
    if (stopping) return
    if (code !== 0) {
      line.done('failed')
      console.error(`✖ ${task.name} failed in examples/docs-site. The end of ${task.logFile}:`)
      console.error(lastLines(task.logFile))
      await stop(1)
    }
    line.done()
  }
}

async function main() {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    console.error(`PORT must be a port number, not "${process.env.PORT}"`)
    process.exit(1)
  }
  if (!(await portIsFree(port))) {
    console.error(
      `Port ${port} is in use (\`npm start\` or another demo?). Stop it, or run the demo elsewhere: PORT=${port + 1} npm run demo`,
    )
    process.exit(1)
  }
  mkdirSync(LOGS, { recursive: true })
  console.log(`Starting the auth gateway demo on ${origin} (logs in .demo/logs/)`)
  const python = findPython(baseEnv)
  if ('missing' in python) console.warn(`\n! ${python.missing}\n`)

  await prepareDocsSite()
  if (stopping) return
  const [docsPort, apiPort] = [await freePort(), await freePort()]
  const docsUrl = `http://127.0.0.1:${docsPort}`
  const apiUrl = `http://127.0.0.1:${apiPort}`

  const docs = supervisor.start({
    name: 'Docusaurus (docs site)',
    // The site's `npm run serve`, without npm and sh in between: a process the
    // parent-death signal reaches directly (npm would pass it to sh, which
    // would die and leave docusaurus behind).
    command: process.execPath,
    args: [DOCUSAURUS, 'serve', '--host', '127.0.0.1', '--port', String(docsPort), '--no-open'],
    cwd: DOCS_SITE,
    env: baseEnv,
    logFile: log('docs'),
  })
  const api =
    'python' in python
      ? supervisor.start({
          name: 'FastAPI (uvicorn)',
          command: python.python,
          // The gateway's X-Forwarded-* is believed from loopback only.
          args: ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', String(apiPort)].concat([
            '--proxy-headers',
            '--forwarded-allow-ips',
            '127.0.0.1',
          ]),
          cwd: join(ROOT, 'examples', 'fastapi'),
          env: {
            ...baseEnv,
            GATEWAY_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
            GATEWAY_ISSUER: origin,
            ITEMS_DB: join(STATE, 'items.sqlite3'),
            PYTHONUNBUFFERED: '1',
            PYTHONDONTWRITEBYTECODE: '1',
          },
          logFile: log('api'),
        })
      : undefined
  const gateway = supervisor.start({
    name: 'the gateway',
    command: process.execPath,
    args: ['--import', 'tsx', join(ROOT, 'src', 'server.ts')],
    cwd: ROOT,
    // Empty values count as unset and win over a .env file: the demo is always
    // the embedded database and these upstreams, whatever .env says.
    env: {
      ...baseEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: origin,
      DATA_DIR: join(STATE, 'data'),
      DATABASE_URL: '',
      DATABASE_DRIVER: '',
      API_UPSTREAM_URL: apiUrl,
      DOCS_UPSTREAM_URL: docsUrl,
      AUTH_REQUIRED_PATHS: '/docs/private',
      NODE_ENV: '',
    },
    logFile: log('gateway'),
  })

  const gatewayUrl = `http://127.0.0.1:${port}`
  await Promise.all([
    waitUntilUp(`${gatewayUrl}/readyz`, () => gateway.ended, READY_TIMEOUT_MS),
    waitUntilUp(`${docsUrl}/docs/`, () => docs.ended, READY_TIMEOUT_MS),
    api && waitUntilUp(`${apiUrl}/api/public`, () => api.ended, READY_TIMEOUT_MS),
  ])
  // Through the gateway too: the wiring, not only the parts.
  await waitUntilUp(`${gatewayUrl}/docs/`, () => gateway.ended || docs.ended, READY_TIMEOUT_MS)
  if (api) await waitUntilUp(`${gatewayUrl}/api/public`, () => gateway.ended || api.ended, READY_TIMEOUT_MS)
  if (stopping) return
  console.log(readyBlock({ origin, seconds: (Date.now() - started) / 1000, docsUrl, apiUrl: api && apiUrl }))
}

main().catch(async (err) => {
  // A child that exited has already been reported by crashed(); only a timeout is news here.
  if (stopping) return
  console.error(`✖ ${err instanceof Error ? err.message : err}`)
  await stop(1)
})
