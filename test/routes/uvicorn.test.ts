// The gateway in front of the real FastAPI on the real uvicorn: a trailing-
// slash redirect reaches the browser on PUBLIC_URL, and requests spaced around
// uvicorn's keep-alive timeout (the moment it closes idle connections) never
// become 502s. Without the Debian packages this file fails with the command
// that installs them: a skipped test would check nothing (.ci/run installs them).
import { connect } from 'node:net'
import t from 'tap'
import { startUvicorn, uvicornMissing } from '../fixtures/uvicorn.ts'
import { buildHarness, fileDatabase } from '../helper.ts'

const missing = uvicornMissing()
if (missing !== undefined) throw new Error(missing)

const db = await fileDatabase(t)

t.test('FastAPI redirect_slashes through the gateway', async (t) => {
  const uvicorn = await startUvicorn()
  t.teardown(() => uvicorn.close())
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: uvicorn.url } })
  const direct = await fetch(`${uvicorn.url}/api/items`, { redirect: 'manual' })
  t.equal(direct.headers.get('location'), `${uvicorn.url}/api/items/`, 'directly: its own address')
  const res = await app.inject({ url: '/api/items?page=2' })
  t.equal(res.statusCode, 307)
  t.equal(res.headers.location, 'http://localhost:3001/api/items/?page=2', 'through the gateway: PUBLIC_URL')
  const followed = await app.inject({ url: new URL(String(res.headers.location)).pathname })
  t.same(followed.json(), { items: ['a', 'b'] })
})

/** Runs `lanes` request loops side by side, each pausing gaps[i] between requests; returns every status. */
async function spaced(send: () => Promise<number>, lanes: number, gapsMs: number[]): Promise<number[]> {
  const statuses: number[] = []
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      await new Promise((r) => setTimeout(r, lane * 7))
      statuses.push(await send())
      for (const gap of gapsMs) {
        await new Promise((r) => setTimeout(r, gap + lane))
        statuses.push(await send())
      }
    }),
  )
  return statuses
}

t.test('200 requests spaced around uvicorn’s keep-alive timeout: zero 502s', async (t) => {
  // uvicorn's default (5 s, no Keep-Alive hint) and a 1 s one, which is
  // shorter than the gateway's own 4 s and so exercises the retry.
  const defaults = await startUvicorn()
  const short = await startUvicorn(['--timeout-keep-alive', '1'])
  t.teardown(() => Promise.all([defaults.close(), short.close()]))

  // uvicorn really closes an idle connection after 1 s.
  const closedAfterMs = await new Promise<number>((resolve) => {
    const socket = connect(Number(new URL(short.url).port), '127.0.0.1')
    let sentAt = 0
    socket.on('data', () => {
      sentAt = Date.now()
    })
    socket.on('close', () => resolve(Date.now() - sentAt))
    socket.write('GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n')
  })
  t.ok(
    closedAfterMs >= 900 && closedAfterMs < 4500,
    `uvicorn closed the idle connection after ${closedAfterMs} ms`,
  )

  const defaultGateway = await buildHarness(t, { db, env: { API_UPSTREAM_URL: defaults.url } })
  const shortGateway = await buildHarness(t, { db, env: { API_UPSTREAM_URL: short.url } })
  const [atDefault, atShort] = await Promise.all([
    spaced(
      async () => (await defaultGateway.app.inject({ url: '/api/ping' })).statusCode,
      20,
      [4950, 5000, 5050, 4980],
    ),
    spaced(
      async () => (await shortGateway.app.inject({ url: '/api/ping' })).statusCode,
      20,
      [980, 1000, 1020, 990],
    ),
  ])
  const all = [...atDefault, ...atShort]
  t.equal(all.length, 200)
  t.same(
    all.filter((status) => status !== 200),
    [],
    'every request answered 200',
  )
})
