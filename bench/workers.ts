// npm run bench:workers: the compiled gateway's signed-in, hot-cache
// throughput with WORKERS=1 and WORKERS=2 on Postgres, in paired rounds
// (each round runs both, the order alternating), so the 2÷1 ratio of each
// round compares runs seconds apart on the same machine. Reports req/s and
// p99 per setting and the median of the paired ratios.
//   DATABASE_URL (default: a fresh database on postgres://postgres@127.0.0.1:5432, dropped after)
//   BENCH_SECONDS (default 5), BENCH_ROUNDS (default 5), BENCH_RESULTS_DIR (default bench/results)
// The load generator (wrk when installed, as npm run bench) and the upstream
// run on the same box: on 2 cores the second worker competes with them for
// CPU, so the ratio here is a floor (docs/performance.md, "Workers").
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { generator, type LoadResult, load } from './load.ts'
import {
  CONNECTIONS,
  databaseFor,
  median,
  ROUNDS,
  SECONDS,
  SECRET,
  startGateway,
  startUpstream,
} from './participants.ts'
import type { Running } from './processes.ts'
import { seedSessions } from './seed.ts'

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
const TICKS_PER_SECOND = 100 // USER_HZ, the unit of /proc times on Linux

/** pid's parent and its user+system CPU seconds, from /proc/<pid>/stat; undefined once it is gone. */
function statOf(pid: number): { ppid: number; cpu: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND }
  } catch {
    return undefined
  }
}

/** CPU seconds of `root` and its children (a primary and its workers). */
function gatewayCpuSeconds(root: number): number {
  let total = statOf(root)?.cpu ?? 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = statOf(Number(entry))
    if (stat?.ppid === root) total += stat.cpu
  }
  return total
}

/** The whole box's busy and total CPU time so far (all cores), from /proc/stat. */
function boxCpu(): { busy: number; total: number } {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/)
  const ticks = fields.map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0) // idle, iowait
  return { busy: total - idle, total }
}

interface Measured extends LoadResult {
  /** The gateway's CPU (primary and workers) per 1,000 requests, in ms. */
  cpuMsPerThousand: number
  /** Share of the whole box busy during the run, in % (load generator and upstream included). */
  boxBusyPercent: number
}

/** DATABASE_URL, or a database of this run's own that `drop()` removes. */
async function postgres(): Promise<{ url: string; drop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, drop: async () => {} }
  const name = `gw_bench_workers_${randomBytes(4).toString('hex')}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: ADMIN_URL })
    await client.connect()
    await client.query(sql)
    await client.end()
  }
  await admin(`create database ${name}`)
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) }
}

async function main() {
  const database = await postgres()
  process.env.DATABASE_URL = database.url // databaseFor() and the gateways read it
  const work = mkdtempSync(join(tmpdir(), 'gateway-bench-workers-'))
  const running: Running[] = []
  try {
    const upstream = await startUpstream()
    running.push(upstream)
    const [cookie] = await seedSessions(databaseFor(), work, SECRET, 1)
    const settings = [1, 2].map((workers) => ({ workers, name: `WORKERS=${workers}` }))
    const gateways = new Map<number, Running>()
    for (const { workers, name } of settings) {
      const gateway = await startGateway(`gateway-${name}`, work, upstream.port, {
        env: { WORKERS: String(workers), DATABASE_URL: database.url, SESSION_CACHE_TTL_MS: '300000' },
      })
      running.push(gateway)
      gateways.set(workers, gateway)
    }
    const run = async (workers: number): Promise<Measured> => {
      const pid = gateways.get(workers)?.child.pid as number
      const cpuBefore = gatewayCpuSeconds(pid)
      const boxBefore = boxCpu()
      const result = await load({
        url: `http://127.0.0.1:${gateways.get(workers)?.port}/api/bench`,
        seconds: SECONDS,
        connections: CONNECTIONS,
        cookies: [cookie as string],
      })
      const boxAfter = boxCpu()
      return {
        ...result,
        cpuMsPerThousand: ((gatewayCpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests),
        boxBusyPercent:
          (100 * (boxAfter.busy - boxBefore.busy)) / Math.max(1, boxAfter.total - boxBefore.total),
      }
    }

    console.log(`warming up… (load generator: ${generator}, ${availableParallelism()} cores)`)
    // /readyz answers once one worker listens; the warm-up also lets the second start and fill its cache.
    for (const { workers } of settings) await run(workers).catch(() => undefined)

    const results = new Map<number, Measured[]>(settings.map(({ workers }) => [workers, []]))
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}`)
      // Alternating order: neither setting always runs on a machine the other just warmed.
      const order = round % 2 === 1 ? settings : [...settings].reverse()
      for (const { workers, name } of order) {
        const result = await run(workers)
        results.get(workers)?.push(result)
        console.log(
          `  ${name}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms, gateway CPU ${result.cpuMsPerThousand.toFixed(0)} ms per 1,000 requests, box ${result.boxBusyPercent.toFixed(0)}% busy`,
        )
      }
    }

    const runsOf = (workers: number) => results.get(workers) ?? []
    const ratios = runsOf(2).map((two, i) => two.rps / (runsOf(1)[i] as Measured).rps)
    const summary = settings.map(({ workers, name }) => ({
      name,
      rps: median(runsOf(workers).map((r) => r.rps)),
      p50: median(runsOf(workers).map((r) => r.p50)),
      p99: median(runsOf(workers).map((r) => r.p99)),
      cpuMsPerThousand: median(runsOf(workers).map((r) => r.cpuMsPerThousand)),
      boxBusyPercent: median(runsOf(workers).map((r) => r.boxBusyPercent)),
      errors: runsOf(workers).reduce((n, r) => n + r.errors, 0),
      non2xx: runsOf(workers).reduce((n, r) => n + r.non2xx, 0),
    }))
    console.log(
      `\n${'setting'.padEnd(12)} ${'req/s'.padStart(8)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'CPU ms/1k req'.padStart(14)} ${'box busy'.padStart(9)}`,
    )
    for (const s of summary)
      console.log(
        `${s.name.padEnd(12)} ${Math.round(s.rps).toString().padStart(8)} ${String(s.p50).padStart(6)} ${String(s.p99).padStart(6)} ${s.cpuMsPerThousand.toFixed(0).padStart(14)} ${`${s.boxBusyPercent.toFixed(0)}%`.padStart(9)}${s.errors + s.non2xx > 0 ? `  (${s.errors} errors, ${s.non2xx} non-2xx)` : ''}`,
      )
    const ratio = median(ratios)
    console.log(
      `\nWORKERS=2 ÷ WORKERS=1 req/s: ${ratio.toFixed(2)} (median of ${ratios.length} paired rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    )

    const resultsDir = process.env.BENCH_RESULTS_DIR || 'bench/results'
    mkdirSync(resultsDir, { recursive: true })
    const file = `${resultsDir}/${new Date().toISOString().slice(0, 10)}-workers-postgres-node${process.versions.node.split('.')[0]}.json`
    const record = {
      date: new Date().toISOString(),
      machine: { cpus: availableParallelism(), node: process.version },
      settings: {
        seconds: SECONDS,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        generator,
        database: 'postgres',
      },
      summary,
      pairedRatios: ratios,
      ratio,
    }
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`)
    console.log(`wrote ${file}`)
    const failing = summary.filter((s) => s.non2xx + s.errors > 0)
    for (const s of failing)
      console.error(`FAILED: ${s.name} answered ${s.non2xx} non-2xx, ${s.errors} errors`)
    if (failing.length > 0) process.exitCode = 1
  } finally {
    await Promise.all(running.map((r) => r.stop()))
    rmSync(work, { recursive: true, force: true })
    await database.drop()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
