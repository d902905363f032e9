// One load run: req/s and latency percentiles. wrk when it is installed (a C
// load generator leaves more of this 2-core machine to the processes being
// measured), autocannon otherwise. Both take the same declarative options.
import { execFileSync } from 'node:child_process'
import autocannon from 'autocannon'
import { wrkLoad } from './wrk.ts'

export interface LoadResult {
  rps: number
  /** Requests completed (answered, whatever the status). */
  requests: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

export interface LoadOptions {
  url: string
  seconds: number
  connections: number
  /**
   * Cookie headers, one picked uniformly at random per request (many distinct
   * sessions). Random rather than round-robin: a fixed rotation makes the hit
   * rate hinge on whether one lap takes more or less than the cache TTL, and
   * on how the load generator's threads happen to line up.
   */
  cookies?: string[]
  method?: 'GET' | 'POST'
  /** A JSON body sent with every request. */
  body?: string
  headers?: Record<string, string>
  /** A different X-Forwarded-For on every request (a crowd of clients). */
  distinctClientIps?: boolean
}

export const generator = hasWrk() ? 'wrk' : 'autocannon'

export function load(options: LoadOptions): Promise<LoadResult> {
  return generator === 'wrk' ? wrkLoad(options) : autocannonLoad(options)
}

/** 10.x.y.z for the n-th request. */
export function clientIp(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
}

async function autocannonLoad(options: LoadOptions): Promise<LoadResult> {
  let i = 0
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method ?? 'GET',
    requests: [
      {
        setupRequest: (request) => {
          const n = i++
          const headers = { ...request.headers, ...options.headers } as Record<string, string>
          if (options.cookies !== undefined)
            headers.cookie = options.cookies[Math.floor(Math.random() * options.cookies.length)] as string
          if (options.distinctClientIps) headers['x-forwarded-for'] = clientIp(n)
          if (options.body !== undefined) headers['content-type'] = 'application/json'
          return { ...request, headers, ...(options.body !== undefined ? { body: options.body } : {}) }
        },
      },
    ],
  })
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

function hasWrk(): boolean {
  if (process.env.BENCH_LOADER === 'autocannon') return false
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    return (error as { status?: number }).status === 1
  }
}
