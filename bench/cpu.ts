// npm run bench:cpu: the CPU one proxied request costs, per participant: the
// bare hop, and the gateway anonymous and with a hot cache. Read from /proc
// (user + system time of the process ÷ requests it answered) under the same
// load as npm run bench. On a shared machine this moves far less than req/s:
// a neighbour slows every process down, but hardly changes how much CPU a
// request needs. The gap between the gateway and the bare hop is the
// gateway's own per-request work, which is what the hot-cache ratio pays for.
//
// Side by side: SIDE_B (JSON) starts a second gateway, B, measured in the
// same alternation as the first, A (SIDE_A, same shape, optional):
//   {"env": {"LOG_LEVEL": "info"}, "nodeFlags": ["--max-semi-space-size=4"],
//    "checkout": "/path/to/another/built/clone"}
// On a host whose absolute numbers swing by ±30% between runs, a 10% change
// in the gateway's cost is lost between two `npm run bench` runs; two
// gateways loaded turn about, seconds apart, show it. A checkout is another
// clone with node_modules and dist built (e.g. a git worktree of the commit
// before a change) and the same database schema.
//
// BENCH_CPU_PROFILE=<dir> also writes V8 CPU profiles of the bare hop and the
// gateway(s) there, to compare function by function.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generator, type LoadResult, load } from './load.ts'
import {
  CONNECTIONS,
  databaseFor,
  type GatewayOptions,
  median,
  ROUNDS,
  SECONDS,
  SECRET,
  signUp,
  startBare,
  startGateway,
  startUpstream,
} from './participants.ts'
import type { Running } from './processes.ts'
import { seedSessions } from './seed.ts'

const sideOf = (variable: string): GatewayOptions | undefined => {
  const value = process.env[variable]
  return value === undefined ? undefined : (JSON.parse(value) as GatewayOptions)
}

interface Scenario {
  name: string
  proxy: Running
  cookies: string[] | undefined
}

interface Run {
  proxyUs: number
  upstreamUs: number
  rps: number
  p99: number
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'gateway-bench-cpu-'))
  const running: Running[] = []
  try {
    const upstream = await startUpstream()
    running.push(upstream)
    const profile = process.env.BENCH_CPU_PROFILE
    // A directory each, so each process's profiles are told apart.
    const profileFlags = (name: string) =>
      profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, name)}`] : []
    const bare = await startBare(upstream, profileFlags('bare'))
    running.push(bare)

    const sideB = sideOf('SIDE_B')
    const sides = sideB === undefined ? { gateway: sideOf('SIDE_A') } : { A: sideOf('SIDE_A'), B: sideB }
    const [hot] = await seedSessions(databaseFor(), join(work, 'data'), SECRET, 1)
    const gateways: Running[] = []
    for (const [name, side] of Object.entries(sides)) {
      // PGlite is one process's database: each gateway gets its own copy,
      // taken before any of them opens it, with the same session in it.
      let dataDir = join(work, 'data')
      if (process.env.DATABASE_URL === undefined) {
        dataDir = join(work, `data-${name}`)
        cpSync(join(work, 'data'), dataDir, { recursive: true })
      }
      const gateway = await startGateway(name, dataDir, upstream.port, {
        ...side,
        nodeFlags: [...(side?.nodeFlags ?? []), ...profileFlags(name)],
      })
      running.push(gateway)
      gateways.push(gateway)
      // As in npm run bench and in production: Better Auth has served a
      // request. Its first one turns on AsyncLocalStorage, which on Node 20
      // and 22 would make every later promise dearer had the gateway not
      // turned it off again (src/auth/async-context-release.ts).
      const signedUp = await signUp(gateway, {
        name: 'CPU',
        email: `cpu-${name.toLowerCase()}@bench.example`,
        password: 'cpu bench password 123',
      })
      if (!signedUp.ok) throw new Error(`${name}: sign-up failed: ${signedUp.status}`)
    }

    const url = (p: Running) => `http://127.0.0.1:${p.port}/api/bench`
    const bareScenario: Scenario = { name: 'bare @fastify/http-proxy hop', proxy: bare, cookies: undefined }
    const gatewayScenarios = gateways.map((gateway) => [
      { name: `${gateway.name}, anonymous`, proxy: gateway, cookies: undefined },
      { name: `${gateway.name}, signed in, hot cache`, proxy: gateway, cookies: [hot as string] },
    ])
    const served = new Map<Running, number>()
    const measure = async ({ proxy, cookies }: Scenario): Promise<Run> => {
      const proxyBefore = proxy.cpuSeconds()
      const upstreamBefore = upstream.cpuSeconds()
      const result: LoadResult = await load({
        url: url(proxy),
        seconds: SECONDS,
        connections: CONNECTIONS,
        cookies,
      })
      served.set(proxy, (served.get(proxy) ?? 0) + result.requests)
      if (result.errors + result.non2xx > 0)
        throw new Error(`${proxy.name}: ${result.errors} errors, ${result.non2xx} non-2xx`)
      return {
        proxyUs: ((proxy.cpuSeconds() - proxyBefore) / result.requests) * 1e6,
        upstreamUs: ((upstream.cpuSeconds() - upstreamBefore) / result.requests) * 1e6,
        rps: result.rps,
        p99: result.p99,
      }
    }

    const scenarios = [bareScenario, ...gatewayScenarios.flat()]
    console.log(`warming up… (load generator: ${generator})`)
    for (const scenario of scenarios) await measure(scenario)
    const runs = new Map<string, Run[]>()
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}`)
      // The gateways take turns going first, so neither always follows the bare hop.
      const order = round % 2 === 0 ? [...gatewayScenarios].reverse() : gatewayScenarios
      for (const scenario of [bareScenario, ...order.flat()]) {
        const run = await measure(scenario)
        console.log(
          `  ${scenario.name}: ${run.proxyUs.toFixed(1)} µs/request, ${Math.round(run.rps)} req/s, p99 ${run.p99} ms`,
        )
        runs.set(scenario.name, [...(runs.get(scenario.name) ?? []), run])
      }
    }

    const bareRuns = runs.get(bareScenario.name) ?? []
    // Paired per round, as in npm run bench, then the median.
    const paired = (these: Run[], f: (run: Run, bare: Run) => number) =>
      median(these.map((r, i) => f(r, bareRuns[i] as Run)))
    const columns = ['µs/req', 'least', '×bare', 'upstream µs/req', 'req/s', 'req/s ×bare', 'p99']
    console.log(`\n${'scenario'.padEnd(32)} ${columns.map((c) => c.padStart(8)).join(' ')}`)
    for (const { name } of scenarios) {
      const these = runs.get(name) ?? []
      const cells = [
        median(these.map((r) => r.proxyUs)).toFixed(1),
        // The least disturbed run: neighbours on a shared host only ever add.
        Math.min(...these.map((r) => r.proxyUs)).toFixed(1),
        paired(these, (r, b) => r.proxyUs / b.proxyUs).toFixed(2),
        median(these.map((r) => r.upstreamUs)).toFixed(1),
        String(Math.round(median(these.map((r) => r.rps)))),
        paired(these, (r, b) => r.rps / b.rps).toFixed(2),
        String(median(these.map((r) => r.p99))),
      ]
      console.log(`${name.padEnd(32)} ${cells.map((c) => c.padStart(8)).join(' ')}`)
    }
    if (gateways.length === 2) {
      // B against A within each round: the comparison this mode exists for.
      const ofA = (scenario: string) => runs.get(`A, ${scenario}`) ?? []
      const ofB = (scenario: string) => runs.get(`B, ${scenario}`) ?? []
      for (const scenario of ['anonymous', 'signed in, hot cache']) {
        const a = ofA(scenario)
        const b = ofB(scenario)
        const cpu = median(b.map((r, i) => r.proxyUs / (a[i] as Run).proxyUs))
        const rps = median(b.map((r, i) => r.rps / (a[i] as Run).rps))
        console.log(`B ÷ A, ${scenario}: CPU per request ×${cpu.toFixed(2)}, req/s ×${rps.toFixed(2)}`)
      }
    }
    if (profile)
      console.log(
        `\nCPU profiles are written to ${profile} as the processes exit (one directory each; the largest file is the main thread); requests served: ${[...served].map(([p, n]) => `${p.name} ${n}`).join(', ')}`,
      )
  } finally {
    await Promise.all(running.map((r) => r.stop()))
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
