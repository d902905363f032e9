// The three long-running processes of the demo, as the supervisor starts
// them: the docs site's server, the FastAPI example under uvicorn, and the
// gateway in front of both on the public origin.
import { join } from 'node:path'
import { DOCS_SITE } from './docs-site.ts'
import { demoGatewayEnv } from './gateway-env.ts'
import type { ChildSpec } from './supervisor.ts'

export interface DemoLayout {
  /** The repository's root. */
  root: string
  /** .demo/: data, logs, the lock. */
  state: string
  /** The public origin, e.g. http://localhost:3001; the gateway listens on its port. */
  origin: string
  port: number
  docsPort: number
  apiPort: number
  env: NodeJS.ProcessEnv
}

const log = (layout: DemoLayout, name: string) => join(layout.state, 'logs', `${name}.log`)

/** The site's `npm run serve`, without npm and sh in between, so the parent-death signal reaches it. */
export function docsService(layout: DemoLayout): ChildSpec {
  const docusaurus = join(DOCS_SITE, 'node_modules', '@docusaurus', 'core', 'bin', 'docusaurus.mjs')
  return {
    name: 'Docusaurus (docs site)',
    command: process.execPath,
    args: [docusaurus, 'serve', '--host', '127.0.0.1', '--port', String(layout.docsPort), '--no-open'],
    cwd: DOCS_SITE,
    env: layout.env,
    logFile: log(layout, 'docs'),
  }
}

/** uvicorn with the gateway's X-Forwarded-* believed from loopback only, and its JWKS. */
export function apiService(layout: DemoLayout, python: string): ChildSpec {
  return {
    name: 'FastAPI (uvicorn)',
    command: python,
    args: ['-m', 'uvicorn', 'main:app', '--host', '127.0.0.1', '--port', String(layout.apiPort)].concat([
      '--proxy-headers',
      '--forwarded-allow-ips',
      '127.0.0.1',
    ]),
    cwd: join(layout.root, 'examples', 'fastapi'),
    env: {
      ...layout.env,
      GATEWAY_JWKS_URL: `http://127.0.0.1:${layout.port}/.well-known/jwks.json`,
      GATEWAY_ISSUER: layout.origin,
      ITEMS_DB: join(layout.state, 'items.sqlite3'),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    logFile: log(layout, 'api'),
  }
}

/** The gateway as `npm start` runs it (tsx), on the embedded database in .demo/data. */
export function gatewayService(layout: DemoLayout): ChildSpec {
  return {
    name: 'the gateway',
    command: process.execPath,
    args: ['--import', 'tsx', join(layout.root, 'src', 'server.ts')],
    // Not the repository's root: no .env is read (gateway-env.ts says why).
    cwd: layout.state,
    env: demoGatewayEnv(layout.env, join(layout.root, '.env.example'), {
      PORT: String(layout.port),
      HOST: '127.0.0.1',
      PUBLIC_URL: layout.origin,
      DATA_DIR: join(layout.state, 'data'),
      API_UPSTREAM_URL: `http://127.0.0.1:${layout.apiPort}`,
      DOCS_UPSTREAM_URL: `http://127.0.0.1:${layout.docsPort}`,
      AUTH_REQUIRED_PATHS: '/docs/private',
    }),
    logFile: log(layout, 'gateway'),
  }
}
