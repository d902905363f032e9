// `Expect: 100-continue`, as curl (bodies over 1 KiB), Java, .NET and many
// SDKs send it. The gateway answers the expectation itself: 100 Continue only
// once the request is accepted (on proxied paths, after the identity gate), a
// final answer instead of 100 when it is not, and never the header upstream.
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { startBehaviourUpstream } from '../fixtures/behaviour-upstream.ts'
import { buildHarness, fileDatabase, listen, ORIGIN } from '../helper.ts'

const run = promisify(execFile)
const db = await fileDatabase(t)
const upstream = await startBehaviourUpstream()
t.teardown(() => upstream.close())
const { app } = await buildHarness(t, {
  db,
  env: { API_UPSTREAM_URL: upstream.url, AUTH_REQUIRED_PATHS: '/api/private' },
})
const port = await listen(app)

/** Reads until the server has sent a whole response (head, and a body of its Content-Length), or 5 s. */
function readResponse(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    const done = () => {
      clearTimeout(timer)
      socket.off('data', onData)
      resolve(text)
    }
    const onData = (d: Buffer) => {
      text += d.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end === -1) return
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0)
      if (text.length - end - 4 >= length) done()
    }
    const timer = setTimeout(done, 5000)
    socket.on('data', onData)
  })
}

/** Sends a head with Expect, waits for the answer, then (when told to and asked for) the body. */
async function converse(head: string, body: string | undefined) {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(head)
  const beforeBody = await readResponse(socket)
  let after = ''
  if (body !== undefined && beforeBody.startsWith('HTTP/1.1 100')) {
    socket.write(body)
    after = await readResponse(socket)
  }
  socket.destroy()
  return { beforeBody, after }
}

t.test('curl uploads with Expect: 100-continue: 200, the upstream gets every byte', async (t) => {
  // curl 7.88 sends Expect for bodies over 1 MiB (older curl: over 1 KiB);
  // Java's and .NET's clients may send it for any body, as -H does here.
  const rows: [string, string[], number][] = [
    ['curl --data-binary @2MiB file', [], 2 * 1024 * 1024],
    ["curl -H 'Expect: 100-continue' with 2 KiB", ['-H', 'Expect: 100-continue'], 2048],
    ["curl with -H 'Expect:' (no expectation at all)", ['-H', 'Expect:'], 4096],
    ['curl -T (PUT of a 3 MB file)', ['-T'], 3_000_000],
  ]
  for (const [name, flags, size] of rows) {
    const file = join(tmpdir(), `gateway-expect-${process.pid}-${size}`)
    await writeFile(file, Buffer.alloc(size, 'e'))
    const args = flags[0] === '-T' ? ['-sS', '-T', file] : ['-sS', ...flags, '--data-binary', `@${file}`]
    const { stdout } = await run('curl', [
      ...args,
      '-w',
      '\n%{http_code}',
      `http://127.0.0.1:${port}/api/upload`,
    ])
    const [json, status] = stdout.split('\n')
    t.equal(status, '200', `${name}: 200`)
    t.same(JSON.parse(json ?? '{}').bytes, size, `${name}: every byte arrived`)
    t.equal(JSON.parse(json ?? '{}').expect, null, `${name}: no Expect header upstream`)
  }
})

t.test('Expect rows, byte by byte', async (t) => {
  const body = 'x'.repeat(2048)
  const accepted = await converse(
    `POST /api/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n`,
    body,
  )
  t.match(
    accepted.beforeBody,
    /^HTTP\/1\.1 100 Continue\r\n\r\n$/,
    'accepted: 100 Continue, then nothing until the body',
  )
  t.match(accepted.after, /^HTTP\/1\.1 200 [\s\S]*"bytes":2048/, 'then the upstream answer')

  const text = await converse(
    `POST /api/upload HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n`,
    body,
  )
  t.match(
    text.beforeBody,
    /^HTTP\/1\.1 100 Continue/,
    'a text/plain body too (found in review: it waited for the body)',
  )
  t.match(text.after, /^HTTP\/1\.1 200 [\s\S]*"bytes":2048/)

  const before = upstream.seen.length
  const refused = await converse(
    `POST /api/private/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n`,
    body,
  )
  t.match(refused.beforeBody, /^HTTP\/1\.1 401 /, 'a protected path without a session: 401 instead of 100')
  t.notMatch(refused.beforeBody, /100 Continue/, 'the client is never asked for the body')
  t.equal(upstream.seen.length, before, 'nothing reached the upstream')

  const credentials = JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password1' })
  const signIn = await converse(
    `POST /api/auth/sign-in/email HTTP/1.1\r\nHost: gw\r\nOrigin: ${ORIGIN}\r\nContent-Type: application/json\r\nContent-Length: ${credentials.length}\r\nExpect: 100-continue\r\n\r\n`,
    credentials,
  )
  t.match(signIn.beforeBody, /^HTTP\/1\.1 100 Continue/, "the gateway's own routes say 100 up front")
  t.match(signIn.after, /^HTTP\/1\.1 401 /, 'then answer the body (wrong credentials)')

  const unknown = await converse(
    `POST /api/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\nExpect: 200-ok\r\n\r\n`,
    undefined,
  )
  t.match(unknown.beforeBody, /^HTTP\/1\.1 417 /, 'an expectation nobody can meet: 417 (RFC 9110 §10.1.1)')
})
