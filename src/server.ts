// The only entry point: configuration, logger, timeouts, listen, and a
// graceful stop that drains in-flight requests and closes the database.
// With WORKERS > 1 the first process becomes a node:cluster primary
// (cluster/primary.ts) that runs this file again in each worker; a worker
// then does exactly what the single process does, sharing the port, and
// shares revocations and limits with its siblings through the primary
// (cluster/worker-state.ts) unless REDIS_URL carries them.
import cluster from 'node:cluster'
import { pino } from 'pino'
import { buildApp } from './app.ts'
import type { IpcEnd } from './cluster/messages.ts'
import { metricsFromPrimary, offerWorkerRegistry } from './cluster/metrics.ts'
import { runPrimary } from './cluster/primary.ts'
import { clusterSharedState } from './cluster/worker-state.ts'
import { ConfigError, parseConfig, readEnvironment } from './config/config.ts'
import { resolveSecret } from './config/secret.ts'
import { loggerOptions } from './http/logger.ts'
import { serverOptions } from './http/server-options.ts'
import { metricsEnabled } from './metrics/plugin.ts'

const SHUTDOWN_GRACE_MS = 10_000

async function main() {
  let config: ReturnType<typeof parseConfig>
  try {
    config = parseConfig(readEnvironment())
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG: the deployment is wrong, restarting will not help
    }
    throw err
  }
  if (config.workers > 1 && cluster.isPrimary) {
    runPrimary({
      workers: config.workers,
      graceMs: SHUTDOWN_GRACE_MS,
      log: pino(loggerOptions(config.logLevel, process.stdout.isTTY === true)),
      readyMessage: `gateway ready on ${config.publicUrl} (${config.workers} workers listening on ${config.host}:${config.port})`,
      metrics: metricsEnabled(config) ? { port: config.metricsPort } : undefined,
    })
    return
  }
  const started = performance.now()
  // Only under our own primary: a worker of another cluster manager (pm2's
  // cluster mode) with WORKERS unset must not wait on a primary that never answers.
  const inCluster = config.workers > 1 && cluster.isWorker
  const { secret, warning } = await resolveSecret(config.secret, config.dataDir)

  const app = await buildApp(
    { ...config, secret },
    {
      fastify: {
        logger: loggerOptions(config.logLevel, process.stdout.isTTY === true),
        ...serverOptions(),
      },
      siblings: inCluster
        ? clusterSharedState({ end: process as IpcEnd, connected: () => process.connected })
        : undefined,
      instanceMetrics:
        inCluster && metricsEnabled(config)
          ? metricsFromPrimary(process as IpcEnd, () => process.connected)
          : undefined,
    },
  )
  if (inCluster && app.metrics !== undefined) offerWorkerRegistry(app.metrics.registry)
  if (warning !== undefined) app.log.warn(warning)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'shutting down: draining in-flight requests')
    const force = setTimeout(() => {
      app.log.error('shutdown grace period elapsed; exiting')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    force.unref()
    // Node closes only the connections idle when close() starts; a keep-alive
    // connection whose request finishes later would hold the process until
    // its keep-alive timeout. Sweep until everything has drained.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 200)
    await app.close()
    clearInterval(sweep)
    clearTimeout(force)
    // A worker's channel to the primary would keep it alive; closing it ends the process.
    if (cluster.isWorker && process.connected) process.disconnect()
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  app.log.info(
    { driver: app.database.driver, startupMs: Math.round(performance.now() - started) },
    // Both: with PORT changed, PUBLIC_URL (what browsers and Origin checks use) may not match.
    `gateway ready on ${config.publicUrl} (listening on ${config.host}:${config.port})`,
  )
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
