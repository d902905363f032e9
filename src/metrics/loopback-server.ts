// METRICS_PORT: Prometheus text without a token, on 127.0.0.1 only, so that
// nothing but the machine itself (a local scraper, a sidecar) can read it.
// Served by the gateway's single process, or by the WORKERS primary for the
// whole instance (src/cluster/primary.ts).
import { createServer, type Server } from 'node:http'

export interface LoopbackMetricsOptions {
  port: number
  /** The Prometheus text of one scrape; a rejection answers 500. */
  render(): Promise<string>
  contentType: string
  onError(err: unknown): void
}

/**
 * Listens on 127.0.0.1:`port` and answers `GET /metrics` with `render()`,
 * anything else 404. Resolves once listening; rejects when the port cannot
 * be bound (EADDRINUSE, EACCES). Close it with closeLoopbackMetrics.
 */
export async function listenLoopbackMetrics(options: LoopbackMetricsOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0]
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    options.render().then(
      (text) =>
        response
          .writeHead(200, { 'content-type': options.contentType, 'cache-control': 'no-store' })
          .end(text),
      (err: unknown) => {
        options.onError(err)
        response.writeHead(500).end()
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}

/** Ends every connection and stops listening. */
export async function closeLoopbackMetrics(server: Server): Promise<void> {
  if (!server.listening) return
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}
