// Loopback ports for the demo: the gateway's must be free before anything
// starts (a clear message beats a child's EADDRINUSE), the upstreams take any.
import { once } from 'node:events'
import { createServer } from 'node:net'

/** A port the kernel considers free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

async function bindError(port: number, host: string): Promise<string | undefined> {
  const server = createServer()
  try {
    server.listen(port, host)
    await once(server, 'listening')
    return undefined
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN'
  } finally {
    await new Promise((r) => server.close(r))
  }
}

/**
 * Why the gateway cannot own http://localhost:`port`, or undefined when it
 * can. Both loopbacks count: a browser tries ::1 for "localhost" first, so a
 * server listening there alone would take the demo's URL.
 */
export async function portProblem(port: number): Promise<string | undefined> {
  for (const host of ['127.0.0.1', '::1']) {
    const code = await bindError(port, host)
    // No IPv6 on this machine: nothing can listen on ::1 either.
    if (code === undefined || code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') continue
    if (code === 'EADDRINUSE') return `port ${port} is in use on ${host}`
    if (code === 'EACCES') return `port ${port} needs privileges to listen on (ports below 1024 do)`
    return `cannot listen on ${host}:${port} (${code})`
  }
  return undefined
}

/** True when nothing listens on `port` on either loopback. */
export async function portIsFree(port: number): Promise<boolean> {
  return (await portProblem(port)) === undefined
}
