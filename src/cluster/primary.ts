// WORKERS > 1: this process becomes a node:cluster primary. It serves no
// request itself: it forks the workers (each re-runs server.ts and listens
// on the shared port; the primary hands them connections in turn), holds
// what they share without Redis (hub.ts), replaces a worker that dies
// (restart-policy.ts), and on SIGTERM/SIGINT has every worker drain as one
// process would, exiting once they all have.
//
// Migrations: every worker applies them at start, as separate instances
// do; db/client.ts serialises that with a Postgres advisory lock, so
// concurrent starts are safe and the primary needs no database of its own.
import cluster from 'node:cluster'
import type { Server } from 'node:http'
import { closeLoopbackMetrics, listenLoopbackMetrics } from '../metrics/loopback-server.ts'
import { Hub } from './hub.ts'
import type { IpcEnd } from './messages.ts'
import { answerMetricsRequests, instanceMetrics } from './metrics.ts'
import { RestartPolicy } from './restart-policy.ts'

export interface PrimaryLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface PrimaryOptions {
  /** How many workers to keep running (≥ 2; WORKERS=1 never makes a primary). */
  workers: number
  /** Each worker's own drain limit (server.ts), in ms; the primary waits this and a little more. */
  graceMs: number
  log: PrimaryLog
  /** Logged once, when every worker first listens. */
  readyMessage: string
  policy?: RestartPolicy
  /**
   * Set when metrics are on (METRICS_TOKEN or METRICS_PORT): the primary
   * gathers the workers' registries for both, and serves METRICS_PORT itself.
   */
  metrics?: { port: number | undefined }
}

/** What the primary uses of a cluster Worker. */
export interface PrimaryWorker extends IpcEnd {
  id: number
  process: { pid?: number; kill(signal: NodeJS.Signals): boolean }
}

/** What the primary uses of the process around it: node:cluster and process, or stand-ins in tests. */
export interface PrimaryHost {
  fork(): PrimaryWorker
  onListening(listener: (worker: PrimaryWorker) => void): void
  onExit(listener: (worker: PrimaryWorker, code: number | null, signal: string | null) => void): void
  onStopSignal(listener: (signal: 'SIGTERM' | 'SIGINT') => void): void
  exit(code: number): void
}

const nodeHost: PrimaryHost = {
  fork: () => cluster.fork(),
  onListening: (listener) => cluster.on('listening', listener),
  onExit: (listener) => cluster.on('exit', listener),
  onStopSignal(listener) {
    process.once('SIGTERM', () => listener('SIGTERM'))
    process.once('SIGINT', () => listener('SIGINT'))
  },
  exit: (code) => process.exit(code),
}

/** Margin over a worker's own grace before the primary kills what is left, in ms. */
const KILL_MARGIN_MS = 2000

/**
 * Forks `workers` workers and keeps them running until SIGTERM or SIGINT,
 * then exits: 0 when every worker drained cleanly, 1 otherwise, and 1 when
 * workers cannot start (see restart-policy.ts). `host` is node:cluster and
 * this process unless a test stands in for them.
 */
export function runPrimary(options: PrimaryOptions, host: PrimaryHost = nodeHost): void {
  const { log } = options
  const hub = new Hub()
  const policy = options.policy ?? new RestartPolicy()
  // Ours, not cluster.workers: Node removes a worker from that only once
  // both its exit and its disconnect have happened, in either order.
  const live = new Map<number, PrimaryWorker>()
  const listened = new Set<number>()
  const replacements = new Set<NodeJS.Timeout>()
  let stopping = false
  let ready = false
  let exitCode = 0

  // Metrics for the whole instance (cluster/metrics.ts): the workers' answers
  // to a METRICS_TOKEN scrape and METRICS_PORT both come from here.
  const metrics = options.metrics === undefined ? undefined : instanceMetrics()
  let metricsServer: Server | undefined
  if (metrics !== undefined && options.metrics?.port !== undefined) {
    listenLoopbackMetrics({
      port: options.metrics.port,
      render: metrics.gather,
      contentType: metrics.contentType,
      onError: (err) => log.error({ err }, 'metrics scrape failed'),
    }).then(
      (server) => {
        metricsServer = server
        if (stopping) void closeLoopbackMetrics(server)
      },
      (err: Error) => {
        log.error({ err: err.message }, `cannot serve METRICS_PORT ${options.metrics?.port}`)
        exitCode = 1
        stop('METRICS_PORT unavailable')
      },
    )
  }

  const fork = () => {
    const worker = host.fork()
    live.set(worker.id, worker)
    hub.attach(worker.id, worker)
    if (metrics !== undefined) answerMetricsRequests(worker, metrics.gather)
    log.info({ worker: worker.process.pid }, 'worker started')
  }

  host.onListening((worker) => {
    if (listened.has(worker.id)) return // a second server (METRICS_PORT)
    listened.add(worker.id)
    policy.started()
    if (!ready && listened.size >= options.workers) {
      ready = true
      log.info({ workers: options.workers }, options.readyMessage)
    }
  })

  host.onExit((worker, code, signal) => {
    hub.detach(worker.id)
    live.delete(worker.id)
    const served = listened.delete(worker.id)
    const pid = worker.process.pid
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGINT') exitCode = 1
      if (live.size === 0) host.exit(exitCode)
      return
    }
    const decision = policy.died(!served)
    if (decision.action === 'give-up') {
      log.error({ worker: pid, code, signal }, `giving up: ${decision.reason}; see the worker's log above`)
      exitCode = 1
      stop('worker failures')
      return
    }
    log.warn(
      { worker: pid, code, signal, restartInMs: decision.delayMs },
      'worker died unexpectedly; replacing it',
    )
    const timer = setTimeout(() => {
      replacements.delete(timer)
      if (!stopping) fork()
    }, decision.delayMs)
    replacements.add(timer)
  })

  const stop = (reason: string) => {
    if (stopping) return
    stopping = true
    for (const timer of replacements) clearTimeout(timer)
    if (metricsServer !== undefined) void closeLoopbackMetrics(metricsServer)
    log.info({ reason, workers: live.size }, 'shutting down: every worker drains its in-flight requests')
    if (live.size === 0) {
      host.exit(exitCode)
      return
    }
    // Each worker drains exactly as one process does on SIGTERM (server.ts).
    for (const worker of live.values()) worker.process.kill('SIGTERM')
    setTimeout(() => {
      log.error({}, 'shutdown grace period elapsed; killing the workers left')
      for (const worker of live.values()) worker.process.kill('SIGKILL')
      host.exit(1)
    }, options.graceMs + KILL_MARGIN_MS).unref()
  }
  host.onStopSignal(stop)

  for (let i = 0; i < options.workers; i++) fork()
}
