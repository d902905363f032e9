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

/** True when nothing listens on 127.0.0.1:`port` (so the gateway can). */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer()
  try {
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    return true
  } catch {
    return false
  } finally {
    await new Promise((r) => server.close(r))
  }
}
