// npm run bench:cpu: the CPU one proxied request costs, per participant: the
// bare hop, and the gateway anonymous and with a hot cache. Read from /proc
// (user + system time of the process ÷ requests it answered) under the same
// load as npm run bench. On a shared machine this moves far less than req/s:
// a neighbour slows every process down, but hardly changes how much CPU a
// request needs. The gap between the gateway and the bare hop is the
// gateway's own per-request work, which is what the hot-cache ratio pays for.
// BENCH_CPU_PROFILE=<dir> also writes V8 CPU profiles of the bare hop and the
// gateway there, to compare function by function.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generator, load } from './load.ts'
import {
  CONNECTIONS,
  databaseFor,
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

const TICKS_PER_SECOND = 100 // USER_HZ, the unit of /proc/<pid>/stat times on Linux

/** CPU seconds the process has used so far, user and system. */
function cpuSeconds(process: Running): number {
  const stat = readFileSync(`/proc/${process.child.pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'gateway-bench-cpu-'))
  const running: Running[] = []
  try {
    const upstream = await startUpstream()
    running.push(upstream)
    const profile = process.env.BENCH_CPU_PROFILE
    // A directory each: the tsx loader's thread in the bare hop writes a profile too.
    const profileFlags = (name: string) =>
      profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profile, name)}`] : []
    const bare = await startBare(upstream, profileFlags('bare'))
    running.push(bare)
    const [hot] = await seedSessions(databaseFor(), work, SECRET, 1)
    const gateway = await startGateway('gateway', work, upstream.port, {}, profileFlags('gateway'))
    running.push(gateway)
    // As in npm run bench and in production: Better Auth has served a request.
    // Its first one turns on AsyncLocalStorage, which on Node 20 and 22 would
    // make every later promise dearer had the gateway not turned it off again
    // (src/async-context-release.ts): this run is what shows it did.
    const signedUp = await signUp(gateway, {
      name: 'CPU',
      email: 'cpu@bench.example',
      password: 'cpu bench password 123',
    })
    if (!signedUp.ok) throw new Error(`sign-up failed: ${signedUp.status}`)

    const url = (p: Running) => `http://127.0.0.1:${p.port}/api/bench`
    const scenarios = [
      { name: 'bare @fastify/http-proxy hop', proxy: bare, cookies: undefined },
      { name: 'gateway, anonymous', proxy: gateway, cookies: undefined },
      { name: 'gateway, signed in, hot cache', proxy: gateway, cookies: [hot as string] },
    ]
    const served = new Map<Running, number>()
    const measure = async ({ proxy, cookies }: (typeof scenarios)[number]) => {
      const proxyBefore = cpuSeconds(proxy)
      const upstreamBefore = cpuSeconds(upstream)
      const result = await load({ url: url(proxy), seconds: SECONDS, connections: CONNECTIONS, cookies })
      served.set(proxy, (served.get(proxy) ?? 0) + result.requests)
      if (result.errors + result.non2xx > 0)
        throw new Error(`${proxy.name}: ${result.errors} errors, ${result.non2xx} non-2xx`)
      return {
        proxyUs: ((cpuSeconds(proxy) - proxyBefore) / result.requests) * 1e6,
        upstreamUs: ((cpuSeconds(upstream) - upstreamBefore) / result.requests) * 1e6,
        rps: result.rps,
      }
    }

    console.log(`warming up… (load generator: ${generator})`)
    for (const scenario of scenarios) await measure(scenario)
    const runs = new Map<string, Awaited<ReturnType<typeof measure>>[]>()
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}`)
      for (const scenario of scenarios) {
        const run = await measure(scenario)
        console.log(`  ${scenario.name}: ${run.proxyUs.toFixed(1)} µs/request, ${Math.round(run.rps)} req/s`)
        runs.set(scenario.name, [...(runs.get(scenario.name) ?? []), run])
      }
    }

    const bareRuns = runs.get(scenarios[0]?.name as string) ?? []
    const columns = ['µs/req', 'least', '×bare', 'upstream µs/req', 'req/s']
    console.log(`\n${'scenario'.padEnd(32)} ${columns.map((c) => c.padStart(8)).join(' ')}`)
    for (const { name } of scenarios) {
      const these = runs.get(name) ?? []
      const cells = [
        median(these.map((r) => r.proxyUs)).toFixed(1),
        // The least disturbed run: neighbours on a shared host only ever add.
        Math.min(...these.map((r) => r.proxyUs)).toFixed(1),
        // Paired per round, as in npm run bench, then the median.
        median(these.map((r, i) => r.proxyUs / (bareRuns[i]?.proxyUs ?? Number.NaN))).toFixed(2),
        median(these.map((r) => r.upstreamUs)).toFixed(1),
        String(Math.round(median(these.map((r) => r.rps)))),
      ]
      console.log(`${name.padEnd(32)} ${cells.map((c) => c.padStart(8)).join(' ')}`)
    }
    if (profile)
      console.log(
        `\nCPU profiles are written to ${profile} as the processes exit (bare/, gateway/; the largest file is the main thread); requests served: ${[...served].map(([p, n]) => `${p.name} ${n}`).join(', ')}`,
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
