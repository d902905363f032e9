// One load run with autocannon: req/s and latency percentiles.
import autocannon from 'autocannon'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

export interface LoadOptions {
  url: string
  seconds: number
  connections: number
  /** Cookie headers to rotate through, one per request (many distinct sessions). */
  cookies?: string[]
  method?: string
  body?: (i: number) => string
  headers?: (i: number) => Record<string, string>
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  let i = 0
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: (options.method ?? 'GET') as 'GET',
    requests: [
      {
        setupRequest: (request) => {
          const n = i++
          const headers = { ...request.headers, ...options.headers?.(n) } as Record<string, string>
          if (options.cookies !== undefined)
            headers.cookie = options.cookies[n % options.cookies.length] as string
          const body = options.body?.(n)
          if (body !== undefined) headers['content-type'] = 'application/json'
          return { ...request, headers, ...(body !== undefined ? { body } : {}) }
        },
      },
    ],
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}
