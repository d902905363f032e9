import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { freePort, portIsFree, portProblem } from '../../../scripts/demo/ports.ts'
import { waitUntilUp } from '../../../scripts/demo/wait-until-up.ts'

t.test('up once it answers 2xx, not before', async (t) => {
  let calls = 0
  const server = createServer((_req, res) => {
    calls++
    res.statusCode = calls < 3 ? 503 : 200
    res.end()
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const { port } = server.address() as AddressInfo
  await waitUntilUp(`http://127.0.0.1:${port}/`, () => false, 10_000)
  t.equal(calls, 3)
  t.notOk(await portIsFree(port), 'a port in use is not free')
})

t.test('gives up when the process has exited, or at the deadline', async (t) => {
  const port = await freePort()
  t.ok(await portIsFree(port), 'a free port is free')
  await t.rejects(
    waitUntilUp(`http://127.0.0.1:${port}/`, () => true, 10_000),
    /exited before/,
  )
  await t.rejects(
    waitUntilUp(`http://127.0.0.1:${port}/`, () => false, 300),
    /did not answer within 0.3 s/,
  )
})

t.test('a port held on ::1 alone is not free (a browser tries ::1 first for localhost)', async (t) => {
  const server = createServer().listen(0, '::1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const { port } = server.address() as AddressInfo
  t.equal(await portProblem(port), `port ${port} is in use on ::1`)
})
