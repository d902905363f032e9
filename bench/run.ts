// npm run bench: the gateway against a bare proxy hop and the forward-auth
// patterns it replaces, measured side by side in one run, in alternating
// rounds, on this machine. Ratios, not absolute numbers, are the result.
// BENCH_SECONDS (default 5) and BENCH_ROUNDS (default 5) size the run;
// DATABASE_URL runs the gateways on Postgres instead of PGlite; BENCH_NODE
// names another node binary for every Node participant (gateway, bare hop,
// upstream, Better Auth check), e.g. the version the image ships;
// BENCH_RESULTS_DIR (default bench/results) is where the JSON and SVG go.
// Three extra gateways measure /metrics' cost on the hot path: one with
// counting on, two with it off (the second an A/A control for the noise).
// Exits 1 if any participant answered a non-2xx: a failing path is not a
// fast one, and its req/s would mean nothing.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { barChart } from './chart.ts'
import { generator, type LoadResult, load } from './load.ts'
import {
  CONNECTIONS,
  databaseFor,
  METRICS_TOKEN,
  median,
  NODE,
  ORIGIN,
  ROUNDS,
  SECONDS,
  SECRET,
  signUp,
  startBare,
  startGateway,
  startUpstream,
  TSX,
} from './participants.ts'
import { type Running, startProcess } from './processes.ts'
import { startCaddy, startNginx } from './proxies.ts'
import { seedSessions } from './seed.ts'

const SESSIONS = 10_000

const has = (command: string) => {
  try {
    execFileSync('which', [command], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

interface Counters {
  queries: number
  hits: number
  misses: number
}

async function counters(gateway: Running): Promise<Counters> {
  const text = await fetch(`http://127.0.0.1:${gateway.port}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  }).then((r) => r.text())
  const read = (name: string) => Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? Number.NaN)
  return {
    queries: read('gateway_db_queries_total'),
    hits: read('gateway_session_cache_hits_total'),
    misses: read('gateway_session_cache_misses_total'),
  }
}

const difference = (a: Counters, b: Counters): Counters => ({
  queries: a.queries - b.queries,
  hits: a.hits - b.hits,
  misses: a.misses - b.misses,
})
const sum = (a: Counters, b: Counters): Counters => ({
  queries: a.queries + b.queries,
  hits: a.hits + b.hits,
  misses: a.misses + b.misses,
})

const ASSERTION_OFF = 'gateway (IDENTITY_ASSERTION=off), signed in, hot cache'
const METRICS_ON = 'gateway (metrics on, own instance), signed in, hot cache'
const METRICS_OFF = 'gateway (metrics off), signed in, hot cache'
const METRICS_OFF_TWIN = 'gateway (metrics off, A/A twin), signed in, hot cache'

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'gateway-bench-'))
  const running: Running[] = []
  try {
    const upstream = await startUpstream()
    running.push(upstream)
    const bare = await startBare(upstream)
    running.push(bare)

    console.log(`seeding ${SESSIONS} sessions…`)
    const mainDir = join(work, 'main')
    const cookies = await seedSessions(databaseFor(), mainDir, SECRET, SESSIONS)
    const hot = cookies[0] as string
    const gateway = await startGateway('gateway', mainDir, upstream.port)
    running.push(gateway)

    // Per-request validation for the forward-auth patterns: Better Auth's
    // getSession on every request, as deployed without the gateway.
    const checkDir = join(work, 'check')
    const checkCookies = process.env.DATABASE_URL
      ? cookies
      : await seedSessions(databaseFor(), checkDir, SECRET, 1)
    const check = await startProcess(
      'better-auth-check',
      NODE,
      [...TSX, 'bench/better-auth-check.ts'],
      { DATA_DIR: checkDir, BETTER_AUTH_SECRET: SECRET },
      /listening (\d+)/,
    )
    running.push(check)
    /** A second gateway with `env` on top, and a session cookie for it (its own database on PGlite). */
    const variant = async (name: string, env: Record<string, string>) => {
      const dir = join(work, name)
      const variantCookies = process.env.DATABASE_URL
        ? cookies
        : await seedSessions(databaseFor(), dir, SECRET, 1)
      const started = await startGateway(`gateway-${name}`, dir, upstream.port, { env })
      running.push(started)
      return { gateway: started, cookie: variantCookies[0] as string }
    }
    // The gateway with its cache off: what the cheap miss path alone gives.
    const uncached = await variant('uncached', { SESSION_CACHE_TTL_MS: '0' })
    // Without X-User-Assertion: the assertion's cost on the hot path, paired
    // round by round with the hot-cache run.
    const assertionOff = await variant('assertion-off', { IDENTITY_ASSERTION: 'off' })
    // The cost of /metrics' counting on the hot path: three gateways set up
    // alike (one session, the same load), one with METRICS_TOKEN (counting
    // on) and two without (nothing counted, no counting code registered).
    // The two without are the A/A control: their ratio is the noise floor
    // the on ÷ off ratio must be read against.
    const metricsOn = await variant('metrics-on', {})
    const metricsOff = await variant('metrics-off', { METRICS_TOKEN: '' })
    const metricsOffTwin = await variant('metrics-off-twin', { METRICS_TOKEN: '' })

    const stormUser = { name: 'Storm', email: 'storm@bench.example', password: 'storm password 123' }
    await signUp(gateway, stormUser)

    const forwardAuth: Running[] = []
    if (has('nginx'))
      forwardAuth.push(await startNginx(mkdirIn(work, 'nginx'), upstream.port, check.port, '/check'))
    else console.log('nginx not installed: skipping the auth_request pattern')
    if (has('caddy'))
      forwardAuth.push(await startCaddy(mkdirIn(work, 'caddy'), upstream.port, check.port, '/check'))
    else console.log('caddy not installed: skipping the forward_auth pattern')
    running.push(...forwardAuth)

    // Peak RSS of the gateway process under test, overall and per scenario:
    // a sign-in storm adds scrypt's 32 MB working set to what proxying needs.
    let peakRss = 0
    let measured: Running | undefined
    let scenarioPeak = 0
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, gateway.rss())
      if (measured !== undefined) scenarioPeak = Math.max(scenarioPeak, measured.rss())
    }, 250)

    const url = (p: Running) => `http://127.0.0.1:${p.port}/api/bench`
    // The storm's own side: how many sign-ins it got through, per round.
    const stormSignIns: LoadResult[] = []
    const scenarios: { name: string; run: () => Promise<LoadResult>; gateway?: Running }[] = [
      {
        name: 'bare @fastify/http-proxy hop',
        run: () => load({ url: url(bare), seconds: SECONDS, connections: CONNECTIONS }),
      },
      {
        name: 'gateway, anonymous',
        gateway,
        run: () => load({ url: url(gateway), seconds: SECONDS, connections: CONNECTIONS }),
      },
      {
        name: 'gateway, signed in, hot cache',
        gateway,
        run: () => load({ url: url(gateway), seconds: SECONDS, connections: CONNECTIONS, cookies: [hot] }),
      },
      {
        name: ASSERTION_OFF,
        gateway: assertionOff.gateway,
        run: () =>
          load({
            url: url(assertionOff.gateway),
            seconds: SECONDS,
            connections: CONNECTIONS,
            cookies: [assertionOff.cookie],
          }),
      },
      ...[
        [METRICS_ON, metricsOn],
        [METRICS_OFF, metricsOff],
        [METRICS_OFF_TWIN, metricsOffTwin],
      ].map(([name, v]) => {
        const { gateway: g, cookie } = v as { gateway: Running; cookie: string }
        return {
          name: name as string,
          gateway: g,
          run: () => load({ url: url(g), seconds: SECONDS, connections: CONNECTIONS, cookies: [cookie] }),
        }
      }),
      {
        name: `gateway, ${SESSIONS} distinct sessions, random order`,
        gateway,
        run: () => load({ url: url(gateway), seconds: SECONDS, connections: CONNECTIONS, cookies }),
      },
      {
        name: 'gateway, cache off (SESSION_CACHE_TTL_MS=0)',
        gateway: uncached.gateway,
        run: () =>
          load({
            url: url(uncached.gateway),
            seconds: SECONDS,
            connections: CONNECTIONS,
            cookies: [uncached.cookie],
          }),
      },
      ...forwardAuth.map((proxy) => ({
        name: `${proxy.name} ${proxy.name === 'nginx' ? 'auth_request' : 'forward_auth'} → Better Auth getSession`,
        run: () =>
          load({
            url: url(proxy),
            seconds: SECONDS,
            connections: CONNECTIONS,
            cookies: [checkCookies[0] as string],
          }),
      })),
      {
        name: 'gateway, hot cache, during a sign-in storm',
        gateway,
        run: async () => {
          const storm = load({
            url: `http://127.0.0.1:${gateway.port}/api/auth/sign-in/email`,
            method: 'POST',
            seconds: SECONDS,
            connections: 8,
            // A fresh client address per sign-in, so the per-IP limit never
            // short-circuits the scrypt work this scenario is about.
            headers: { origin: ORIGIN },
            distinctClientIps: true,
            body: JSON.stringify({ email: stormUser.email, password: stormUser.password }),
          })
          const proxied = await load({
            url: url(gateway),
            seconds: SECONDS,
            connections: CONNECTIONS,
            cookies: [hot],
          })
          const signIns = await storm
          stormSignIns.push(signIns)
          console.log(`    sign-in storm: ${Math.round(signIns.rps)} sign-ins/s, ${signIns.non2xx} non-2xx`)
          return proxied
        },
      },
    ]

    console.log(`warming up… (load generator: ${generator})`)
    for (const scenario of scenarios.slice(0, 8)) await loadQuietly(scenario.run, 2)

    const results = new Map<string, LoadResult[]>()
    // Database work per scenario on the main gateway, from its /metrics.
    const accounting = new Map<string, Counters>()
    const peaks = new Map<string, number>()
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`round ${round}/${ROUNDS}`)
      for (const scenario of inRound(scenarios, round)) {
        const before = await counters(gateway)
        measured = scenario.gateway
        scenarioPeak = 0
        const result = await scenario.run()
        measured = undefined
        if (scenario.gateway !== undefined)
          peaks.set(scenario.name, Math.max(peaks.get(scenario.name) ?? 0, scenarioPeak))
        const spent = difference(await counters(gateway), before)
        const total = accounting.get(scenario.name)
        accounting.set(scenario.name, total === undefined ? spent : sum(total, spent))
        console.log(`  ${scenario.name}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms`)
        results.set(scenario.name, [...(results.get(scenario.name) ?? []), result])
      }
    }
    clearInterval(sampler)

    // Ratios are paired: each round's run against the same round's bare hop
    // (or other reference), then the median over rounds. Other tenants of a
    // shared machine move absolute numbers by ±30% between rounds; a ratio of
    // two runs seconds apart moves far less than a ratio of two medians.
    const runsOf = (name: string) => results.get(name) ?? []
    const bareName = scenarios[0]?.name as string
    const paired = (name: string, reference: string, f: (a: LoadResult, b: LoadResult) => number) => {
      const a = runsOf(name)
      const b = runsOf(reference)
      return median(a.map((run, i) => f(run, b[i] as LoadResult)))
    }
    const summary = scenarios.map(({ name }) => {
      const runs = runsOf(name)
      return {
        name,
        ratioToBare: paired(name, bareName, (a, b) => a.rps / b.rps),
        rps: median(runs.map((r) => r.rps)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
        non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
        // Summed over the rounds: session lookups and the queries they cost.
        database: accounting.get(name) ?? { queries: 0, hits: 0, misses: 0 },
        peakRssMb: peaks.has(name) ? Math.round((peaks.get(name) as number) / 1024 / 1024) : undefined,
      }
    })
    const lookups = (d: Counters) => d.hits + d.misses
    const byName = (name: string) => summary.find((s) => s.name.startsWith(name))
    const ratio = (name: string) => byName(name)?.ratioToBare ?? 0
    console.log(
      `\n${'scenario'.padEnd(56)} ${'req/s'.padStart(8)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'×bare'.padStart(6)} ${'hit%'.padStart(6)} ${'q/lookup'.padStart(9)} ${'RSS MB'.padStart(7)}`,
    )
    for (const s of summary) {
      const n = lookups(s.database)
      const hitRate = n === 0 ? '-' : ((100 * s.database.hits) / n).toFixed(1)
      const perLookup = n === 0 ? '-' : (s.database.queries / n).toFixed(4)
      console.log(
        `${s.name.padEnd(56)} ${Math.round(s.rps).toString().padStart(8)} ${String(s.p50).padStart(6)} ${String(s.p99).padStart(6)} ${s.ratioToBare.toFixed(2).padStart(6)} ${hitRate.padStart(6)} ${perLookup.padStart(9)} ${String(s.peakRssMb ?? '-').padStart(7)}${s.errors + s.non2xx > 0 ? `  (${s.errors} errors, ${s.non2xx} non-2xx)` : ''}`,
      )
    }

    const hotName = 'gateway, signed in, hot cache'
    const stormName = 'gateway, hot cache, during a sign-in storm'
    const hotRow = byName(hotName)
    const proxiedPeakMb = Math.max(
      ...['gateway, anonymous', hotName, `gateway, ${SESSIONS}`].map((n) => byName(n)?.peakRssMb ?? Infinity),
    )
    const forward = summary.filter((s) => s.name.includes('→ Better Auth'))
    const hotDb = hotRow?.database
    const jwksBytes = (
      await (await fetch(`http://127.0.0.1:${gateway.port}/.well-known/jwks.json`)).arrayBuffer()
    ).byteLength
    const assertionCost = paired(hotName, ASSERTION_OFF, (a, b) => a.rps / b.rps)
    // Paired round by round, like every ratio here: on ÷ off, and the A/A
    // control (two identical metrics-off gateways) for the noise floor.
    const metricsCost = paired(METRICS_ON, METRICS_OFF, (a, b) => a.rps / b.rps)
    const metricsNoise = paired(METRICS_OFF_TWIN, METRICS_OFF, (a, b) => a.rps / b.rps)
    const metricsCostPerRound = runsOf(METRICS_ON).map(
      (run, i) => run.rps / (runsOf(METRICS_OFF)[i] as LoadResult).rps,
    )
    const metricsNoisePerRound = runsOf(METRICS_OFF_TWIN).map(
      (run, i) => run.rps / (runsOf(METRICS_OFF)[i] as LoadResult).rps,
    )
    const targets = [
      [
        '/metrics counting costs ≤ 2% of hot-cache req/s',
        metricsCost >= 0.98,
        `on ÷ off ${metricsCost.toFixed(3)} (paired median; rounds ${metricsCostPerRound.map((r) => r.toFixed(3)).join(' ')}); A/A off ÷ off ${metricsNoise.toFixed(3)} (rounds ${metricsNoisePerRound.map((r) => r.toFixed(3)).join(' ')})`,
      ],
      [
        'X-User-Assertion costs ≤ 3% of hot-cache req/s',
        assertionCost >= 0.97,
        `on ÷ off ${assertionCost.toFixed(3)} (paired); JWKS ${jwksBytes} bytes`,
      ],
      [
        'hot cache ≥ 0.90× bare req/s',
        ratio('gateway, signed in, hot cache') >= 0.9,
        ratio('gateway, signed in, hot cache').toFixed(2),
      ],
      [
        'hot cache p99 ≤ 1.5× bare p99',
        paired(hotName, bareName, (a, b) => a.p99 / b.p99) <= 1.5,
        `${paired(hotName, bareName, (a, b) => a.p99 / b.p99).toFixed(2)}× (medians ${hotRow?.p99} vs ${byName('bare')?.p99} ms)`,
      ],
      ...forward.map((f) => [
        `hot cache ≥ 8× ${f.name.split(' ')[0]}`,
        paired(hotName, f.name, (a, b) => a.rps / b.rps) >= 8,
        paired(hotName, f.name, (a, b) => a.rps / b.rps).toFixed(1),
      ]),
      [
        `${SESSIONS} sessions ≥ 0.6× bare`,
        ratio(`gateway, ${SESSIONS}`) >= 0.6,
        ratio(`gateway, ${SESSIONS}`).toFixed(2),
      ],
      [
        // A hit never queries; the only queries are the revalidations when an
        // entry's TTL runs out (one per SESSION_CACHE_TTL_MS), which are misses.
        'zero queries for requests served from the cache',
        hotDb !== undefined && hotDb.hits > 0 && hotDb.queries <= hotDb.misses,
        hotDb === undefined
          ? 'n/a'
          : `${hotDb.queries} queries over ${hotDb.hits} hits and ${hotDb.misses} misses (TTL revalidations); ${(hotDb.queries / lookups(hotDb)).toFixed(5)} per request`,
      ],
      [
        'gateway RSS under proxied load ≤ 150 MB',
        proxiedPeakMb <= 150,
        `${proxiedPeakMb} MB (anonymous, hot cache, ${SESSIONS} sessions)`,
      ],
      [
        // scrypt (N=16384, r=16) needs 32 MB per running hash, by Better Auth's hash format.
        'gateway RSS during the sign-in storm ≤ 150 MB',
        (byName(stormName)?.peakRssMb ?? Infinity) <= 150,
        `${byName(stormName)?.peakRssMb} MB`,
      ],
      [
        'p99 during a sign-in storm ≤ 2× idle p99',
        paired(stormName, hotName, (a, b) => a.p99 / b.p99) <= 2,
        `${paired(stormName, hotName, (a, b) => a.p99 / b.p99).toFixed(2)}× (medians ${byName(stormName)?.p99} vs ${hotRow?.p99} ms)`,
      ],
    ] as const
    console.log('\ntargets:')
    for (const [name, ok, value] of targets) console.log(`  ${ok ? 'met   ' : 'MISSED'} ${name}: ${value}`)
    // The "≥ 8×" targets can only be met where the bare hop itself is well
    // over 8× the forward-auth patterns: the gateway cannot beat the hop.
    const ceilings = forward.map((f) => ({
      name: f.name.split(' ')[0] as string,
      bareMultiple: paired(bareName, f.name, (a, b) => a.rps / b.rps),
    }))
    for (const c of ceilings)
      console.log(`  (the bare hop itself is ${c.bareMultiple.toFixed(1)}× ${c.name} in this run)`)
    const signInsPerSecond = median(stormSignIns.map((r) => r.rps))
    console.log(`  (the storm ran ${signInsPerSecond.toFixed(1)} sign-ins/s, median over rounds)`)

    const nodeVersion = execFileSync(NODE, ['--version']).toString().trim()
    const date = `${new Date().toISOString().slice(0, 10)}-${process.env.DATABASE_URL ? 'postgres' : 'pglite'}-node${nodeVersion.slice(1).split('.')[0]}`
    const resultsDir = process.env.BENCH_RESULTS_DIR || 'bench/results'
    mkdirSync(resultsDir, { recursive: true })
    const record = {
      date: new Date().toISOString(),
      machine: {
        cpus: (await import('node:os')).cpus().length,
        node: nodeVersion,
      },
      settings: {
        seconds: SECONDS,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        generator,
        sessions: SESSIONS,
        database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      },
      summary,
      peakGatewayRssBytes: peakRss,
      targets: targets.map(([name, ok, value]) => ({ name, met: ok, value })),
      bareMultipleOfForwardAuth: ceilings,
      metricsCost: {
        onOverOff: metricsCost,
        aaControl: metricsNoise,
        onOverOffPerRound: metricsCostPerRound,
        aaControlPerRound: metricsNoisePerRound,
      },
      signInStorm: {
        signInsPerSecond,
        errors: stormSignIns.reduce((n, r) => n + r.errors, 0),
        non2xx: stormSignIns.reduce((n, r) => n + r.non2xx, 0),
      },
    }
    writeFileSync(`${resultsDir}/${date}.json`, `${JSON.stringify(record, null, 2)}\n`)
    writeFileSync(
      `${resultsDir}/${date}.svg`,
      barChart(
        `req/s on ${record.machine.cpus} cores, ${record.settings.database}, Node ${nodeVersion} (ratio to the bare hop)`,
        summary.map((s) => ({ label: s.name, rps: s.rps, ratio: s.ratioToBare })),
      ),
    )
    console.log(`\nwrote ${resultsDir}/${date}.json and .svg`)
    const failing = [...summary, { name: 'the sign-in storm', non2xx: record.signInStorm.non2xx }].filter(
      (s) => s.non2xx > 0,
    )
    for (const s of failing) console.error(`FAILED: ${s.name} answered ${s.non2xx} non-2xx responses`)
    if (failing.length > 0) process.exitCode = 1
  } finally {
    await Promise.all(running.map((r) => r.stop()))
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The round's order: as listed, except that the three metrics gateways take
 * turns at each of their three places (round 1: on, off, twin; round 2: off,
 * twin, on; …), so none always runs right after the same neighbour.
 */
function inRound<S extends { name: string }>(scenarios: S[], round: number): S[] {
  const trio = [METRICS_ON, METRICS_OFF, METRICS_OFF_TWIN]
  const byName = new Map(scenarios.map((s) => [s.name, s]))
  return scenarios.map((s) => {
    const place = trio.indexOf(s.name)
    return place < 0 ? s : (byName.get(trio[(place + round - 1) % trio.length] as string) as S)
  })
}

function mkdirIn(parent: string, name: string): string {
  const dir = join(parent, name)
  mkdirSync(dir, { recursive: true })
  return dir
}

async function loadQuietly(run: () => Promise<LoadResult>, _seconds: number) {
  await run().catch(() => undefined)
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
