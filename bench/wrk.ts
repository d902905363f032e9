// The wrk driver: a Lua script per run (a random cookie per request, a fresh client
// address per request, a JSON body), and the numbers read back from a JSON
// line the script's done() prints, not scraped from wrk's text report.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LoadOptions, LoadResult } from './load.ts'

const THREADS = 2

export async function wrkLoad(options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wrk-'))
  try {
    const cookies = join(dir, 'cookies.txt')
    writeFileSync(cookies, `${(options.cookies ?? []).join('\n')}\n`)
    const script = join(dir, 'script.lua')
    writeFileSync(script, luaScript(options, cookies))
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'wrk',
        [
          `-t${THREADS}`,
          `-c${options.connections}`,
          `-d${options.seconds}s`,
          '--timeout',
          '10s',
          '-s',
          script,
          options.url,
        ],
        { maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`wrk failed: ${stderr || error.message}`)) : resolve(stdout),
      )
    })
    const line = output.split('\n').find((l) => l.startsWith('WRKJSON '))
    if (line === undefined) throw new Error(`wrk printed no result:\n${output}`)
    const r = JSON.parse(line.slice('WRKJSON '.length)) as {
      requests: number
      durationUs: number
      p50Us: number
      p99Us: number
      errors: number
      non2xx: number
    }
    return {
      rps: r.requests / (r.durationUs / 1e6),
      requests: r.requests,
      p50: Math.round(r.p50Us / 100) / 10,
      p99: Math.round(r.p99Us / 100) / 10,
      errors: r.errors,
      non2xx: r.non2xx,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const lua = (value: string) => JSON.stringify(value) // a JSON string is a valid Lua string literal here

function luaScript(options: LoadOptions, cookiesFile: string): string {
  const headers: Record<string, string> = { ...options.headers }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  const headerTable = Object.entries(headers)
    .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
    .join(', ')
  return `
local cookies = {}
for line in io.lines(${lua(cookiesFile)}) do
  if line ~= "" then cookies[#cookies + 1] = line end
end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  -- Each thread has its own Lua state: seed each differently.
  math.randomseed(os.time() * 1000 + (id or 0))
end
local n = 0
function request()
  n = n + 1
  local i = (id or 0) * 1000003 + n
  local headers = { ${headerTable} }
  if #cookies > 0 then headers["Cookie"] = cookies[math.random(#cookies)] end
  ${options.distinctClientIps ? 'headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)' : ''}
  return wrk.format(${lua(options.method ?? 'GET')}, nil, headers, ${options.body === undefined ? 'nil' : lua(options.body)})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`
}
