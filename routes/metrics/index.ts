// Prometheus text from this app's prom-client Registry (src/metrics/), exposed
// two ways (README, Endpoints): on the main port only with
// "Authorization: Bearer $METRICS_TOKEN" (without a token configured that
// route does not exist), and without a token on METRICS_PORT, which is bound
// to loopback only so that nothing but the machine itself can read it.
// Without either, app.metrics is undefined and nothing is counted or served.
// In a WORKERS worker both answer for the whole instance: the main port's
// route asks the primary, which also serves METRICS_PORT itself.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config/config.ts'
import { MetricsUnavailable } from '../../src/http/errors.ts'
import { closeLoopbackMetrics, listenLoopbackMetrics } from '../../src/metrics/loopback-server.ts'
import { registerGatewayMetrics } from './gateway-metrics.ts'

export interface MetricsRoutesOptions {
  config: Config
  /** In a WORKERS worker: the instance's metrics, gathered by the primary (src/cluster/metrics.ts). */
  instanceMetrics?: () => Promise<string>
}

export default async function metricsRoutes(app: FastifyInstance, options: MetricsRoutesOptions) {
  const { config, instanceMetrics } = options
  const metrics = app.metrics
  if (metrics === undefined) return
  const { registry } = metrics
  registerGatewayMetrics(app, registry)
  const render = instanceMetrics ?? (() => registry.metrics())
  // A worker leaves METRICS_PORT to its primary: one port, one instance-wide answer.
  if (config.metricsPort !== undefined && instanceMetrics === undefined) {
    const port = config.metricsPort
    let server: Awaited<ReturnType<typeof listenLoopbackMetrics>> | undefined
    app.addHook('onReady', async () => {
      server = await listenLoopbackMetrics({
        port,
        render,
        contentType: registry.contentType,
        onError: (err) => app.log.error({ err }, 'metrics scrape failed'),
      })
    })
    app.addHook('onClose', async () => {
      if (server !== undefined) await closeLoopbackMetrics(server)
    })
  }
  const token = config.metricsToken
  if (token === undefined) return
  const expected = Buffer.from(`Bearer ${token}`)

  app.get('/metrics', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    // Constant-time: the token must not leak one byte at a time.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.callNotFound()
    let text: string
    try {
      text = await render()
    } catch (err) {
      request.log.error({ err }, 'metrics scrape failed')
      throw new MetricsUnavailable()
    }
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(text)
  })
}
