// The processes every benchmark mode starts, started the same way in each:
// the fast upstream, the bare hop, and the compiled gateway as the image runs it.
import { readFileSync } from 'node:fs'
import type { Config } from '../src/config/config.ts'
import { type Running, startProcess } from './processes.ts'
import { freePort } from './proxies.ts'

export const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef'
export const METRICS_TOKEN = 'bench-metrics-token-0123456789'
export const TSX = ['--import', 'tsx']
/** Every mode's load: BENCH_SECONDS per run, BENCH_ROUNDS alternating rounds, 50 connections. */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
export const CONNECTIONS = 50
/** The gateway's PUBLIC_URL in the bench; Better Auth checks Origin against it. */
export const ORIGIN = 'http://localhost:3001'
/** The runtime of every Node participant, so the bare hop and the gateway always share one. */
export const NODE = process.env.BENCH_NODE || process.execPath

export function databaseFor(): Config['database'] {
  const url = process.env.DATABASE_URL
  return url === undefined
    ? { driver: 'pglite', url: undefined, neonWsProxy: undefined }
    : { driver: 'pg', url, neonWsProxy: undefined }
}

export const startUpstream = () =>
  startProcess('upstream', NODE, [...TSX, 'bench/fast-upstream.ts'], {}, /listening (\d+)/)

export const startBare = (upstream: Running, nodeFlags: string[] = []) =>
  startProcess(
    'bare',
    NODE,
    [...nodeFlags, 'bench/bare-proxy.js'],
    { UPSTREAM: `http://127.0.0.1:${upstream.port}` },
    /listening (\d+)/,
  )

export interface GatewayOptions {
  /** Environment on top of the bench's own. */
  env?: Record<string, string>
  /** Node flags before the image's own (e.g. --cpu-prof). */
  nodeFlags?: string[]
  /** Another built checkout to run instead of this one (SIDE_B in npm run bench:cpu). */
  checkout?: string
}

export async function startGateway(
  name: string,
  dataDir: string,
  upstream: number,
  { env = {}, nodeFlags = [], checkout }: GatewayOptions = {},
) {
  const port = await freePort()
  // The compiled output, as production (the Dockerfile) runs it: the tsx
  // loader alone adds ~50 MB of RSS (measured 166 MB vs 118 MB idle). The
  // arguments come from the image's CMD, so the V8 heap flags measured here
  // are the ones production runs with.
  const dockerfile = readFileSync('Dockerfile', 'utf8')
  const cmd = dockerfile.match(/^CMD (\[.*\])$/m)?.[1]
  if (cmd === undefined) throw new Error('Dockerfile has no exec-form CMD ["node", …]')
  // The image's allocator settings too (not its NODE_ENV: that is a behaviour switch).
  const allocator = Object.fromEntries(
    [...dockerfile.matchAll(/^ENV (MALLOC_\w+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  )
  const running = await startProcess(
    name,
    NODE,
    [...nodeFlags, ...(JSON.parse(cmd) as string[]).slice(1)],
    {
      PORT: String(port),
      DATA_DIR: dataDir,
      API_UPSTREAM_URL: `http://127.0.0.1:${upstream}`,
      BETTER_AUTH_SECRET: SECRET,
      METRICS_TOKEN,
      // Per-request logs off, as for every participant; warnings still print.
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'true',
      ...allocator,
      ...env,
    },
    null,
    port,
    checkout,
  )
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return running
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${name} never became ready`)
}

export interface BenchUser {
  name: string
  email: string
  password: string
}

/** Signs a user up through the gateway, from one fixed client address. */
export const signUp = (gateway: Running, user: BenchUser) =>
  fetch(`http://127.0.0.1:${gateway.port}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': '198.51.100.1' },
    body: JSON.stringify(user),
  })

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
