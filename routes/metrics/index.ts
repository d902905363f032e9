// Prometheus text from this app's prom-client Registry (src/metrics/), exposed
// two ways (README, Endpoints): on the main port only with
// "Authorization: Bearer $METRICS_TOKEN" (without a token configured that
// route does not exist), and without a token on METRICS_PORT, which is bound
// to loopback only so that nothing but the machine itself can read it.
// Without either, app.metrics is undefined and nothing is counted or served.
import { timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Config } from '../../src/config/config.ts'
import { registerGatewayMetrics } from './gateway-metrics.ts'

export default async function metricsRoutes(app: FastifyInstance, { config }: { config: Config }) {
  const metrics = app.metrics
  if (metrics === undefined) return
  const { registry } = metrics
  registerGatewayMetrics(app, registry)
  if (config.metricsPort !== undefined) serveOnLoopback(app, registry, config.metricsPort)
  const token = config.metricsToken
  if (token === undefined) return
  const expected = Buffer.from(`Bearer ${token}`)

  app.get('/metrics', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    // Constant-time: the token must not leak one byte at a time.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.callNotFound()
    const text = await registry.metrics()
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(text)
  })
}

function serveOnLoopback(app: FastifyInstance, registry: Registry, port: number) {
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0]
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    registry.metrics().then(
      (text) =>
        response
          .writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
          .end(text),
      (err: unknown) => {
        app.log.error({ err }, 'metrics scrape failed')
        response.writeHead(500).end()
      },
    )
  })
  app.addHook('onReady', async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  })
  app.addHook('onClose', async () => {
    if (!server.listening) return
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
}
