// npm run bench:stream: streams a large upload and a large download through
// the compiled gateway and samples its resident memory meanwhile, to show
// that bodies are streamed, not buffered whole. STREAM_MB sizes each body
// (default 200). Prints, for each direction, the throughput through the
// gateway and directly to the upstream, and the gateway's RSS before and at
// its peak. DATABASE_URL=… runs the gateway on Postgres (PGlite otherwise).
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { startGateway } from './participants.ts'

const MB = 1024 * 1024
const TOTAL = Number(process.env.STREAM_MB ?? 200) * MB
const CHUNK = Buffer.alloc(64 * 1024, 'streaming')

/** Writes TOTAL bytes of CHUNKs to `out` as fast as it drains, then ends it. */
function writeTotal(out: Writable): void {
  let sent = 0
  const pump = () => {
    while (sent < TOTAL) {
      sent += CHUNK.length
      if (!out.write(CHUNK)) return void out.once('drain', pump)
    }
    out.end()
  }
  pump()
}

/** An upstream that counts what it is sent and sends what it is asked for, both streamed. */
async function startStreamUpstream() {
  const server = createServer(async (req, res) => {
    if (req.method === 'POST') {
      let bytes = 0
      for await (const chunk of req) bytes += (chunk as Buffer).length
      return res.end(JSON.stringify({ bytes }))
    }
    res.writeHead(200, { 'content-length': String(TOTAL) })
    writeTotal(res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port }
}

function upload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/api/upload' }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => {
        body += d.toString()
      })
      res.on('end', () => resolve(JSON.parse(body).bytes as number))
    })
    req.on('error', reject)
    writeTotal(req)
  })
}

function download(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha1')
    request({ port, host: '127.0.0.1', path: '/api/download' }, (res) => {
      let bytes = 0
      res.on('data', (d: Buffer) => {
        bytes += d.length
        hash.update(d)
      })
      res.on('end', () => resolve(bytes))
    })
      .on('error', reject)
      .end()
  })
}

async function timed(fn: () => Promise<number>): Promise<{ bytes: number; seconds: number }> {
  const started = process.hrtime.bigint()
  const bytes = await fn()
  return { bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'gateway-bench-stream-'))
  const upstream = await startStreamUpstream()
  const gateway = await startGateway('gateway', join(work, 'data'), upstream.port)
  try {
    await new Promise((r) => setTimeout(r, 1000))
    const idle = gateway.rss()
    const rows: string[] = []
    for (const [direction, run] of [
      ['upload', upload],
      ['download', download],
    ] as const) {
      let peak = gateway.rss()
      const sampler = setInterval(() => {
        peak = Math.max(peak, gateway.rss())
      }, 20)
      const through = await timed(() => run(gateway.port))
      clearInterval(sampler)
      const direct = await timed(() => run(upstream.port))
      if (through.bytes !== TOTAL || direct.bytes !== TOTAL)
        throw new Error(`${direction}: ${through.bytes} and ${direct.bytes} bytes, expected ${TOTAL}`)
      rows.push(
        `| ${direction} ${TOTAL / MB} MB | ${(TOTAL / MB / through.seconds).toFixed(0)} MB/s | ${(TOTAL / MB / direct.seconds).toFixed(0)} MB/s | ${(idle / MB).toFixed(0)} MB | ${(peak / MB).toFixed(0)} MB |`,
      )
    }
    console.log('| body | through the gateway | directly | gateway RSS before | gateway RSS peak |')
    console.log('| --- | --- | --- | --- | --- |')
    for (const row of rows) console.log(row)
  } finally {
    await gateway.stop()
    upstream.server.close()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
