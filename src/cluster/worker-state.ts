// SharedState (redis/shared-state.ts) between the workers of one instance,
// through the primary (hub.ts), for WORKERS > 1 without REDIS_URL. Each
// operation is a request on the IPC channel answered by the primary; one
// that gets no answer rejects after `timeoutMs`, and the caller decides
// alone meanwhile (redis/fallback.ts waits less than that).
import type { SharedState, WindowCount } from '../redis/shared-state.ts'
import { type IpcEnd, parsePrimaryMessage, type WorkerMessage } from './messages.ts'

/** How long a request's bookkeeping waits for the primary before rejecting, in ms. */
export const REQUEST_TIMEOUT_MS = 1000

/** A message to the primary without its request number: the number is added when sent. */
type Request = WorkerMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never

interface Pending {
  resolve(answer: WindowCount): void
  reject(error: Error): void
  timer: NodeJS.Timeout
}

export interface WorkerStateOptions {
  /** `process` in a cluster worker. */
  end: IpcEnd
  /** Whether the channel to the primary is open (`() => process.connected`). */
  connected: () => boolean
  timeoutMs?: number
}

/** This worker's side of the shared state; every operation goes to the primary. */
export function clusterSharedState({
  end,
  connected,
  timeoutMs = REQUEST_TIMEOUT_MS,
}: WorkerStateOptions): SharedState {
  const pending = new Map<number, Pending>()
  const topics = new Map<string, ((message: string) => void)[]>()
  let next = 0

  end.on('message', (raw) => {
    const message = parsePrimaryMessage(raw)
    if (message === undefined) return
    if (message.gw === 'deliver') {
      for (const listener of topics.get(message.topic) ?? []) {
        try {
          listener(message.message)
        } catch {
          // A listener's bug must not take the worker down; the others still hear it.
        }
      }
      send({ gw: 'delivered', id: message.id })
      return
    }
    const request = pending.get(message.id)
    if (request === undefined) return // answered after its timeout
    pending.delete(message.id)
    clearTimeout(request.timer)
    request.resolve(message.gw === 'counted' ? { count: message.count, resetInMs: message.resetInMs } : EMPTY)
  })

  function send(message: WorkerMessage): void {
    try {
      end.send(message, () => {})
    } catch {
      // The primary is gone; this worker is about to be disconnected.
    }
  }

  function request(message: Request): Promise<WindowCount> {
    if (!connected()) return Promise.reject(new Error('cluster: no channel to the primary'))
    const id = next++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`cluster: the primary did not answer within ${timeoutMs} ms`))
      }, timeoutMs)
      timer.unref()
      pending.set(id, { resolve, reject, timer })
      send({ ...message, id } as WorkerMessage)
    })
  }

  return {
    carrier: 'cluster',
    state: () => (connected() ? 'up' : 'down'),
    increment: (key, windowMs) => request({ gw: 'increment', key, windowMs }),
    peek: (key) => request({ gw: 'peek', key }),
    reset: async (key) => void (await request({ gw: 'reset', key })),
    publish: async (topic, message) => void (await request({ gw: 'publish', topic, message })),
    subscribe(topic, onMessage, onSubscribed) {
      topics.set(topic, [...(topics.get(topic) ?? []), onMessage])
      // The channel is open from the worker's first line: nothing to wait for.
      queueMicrotask(onSubscribed)
    },
  }
}

const EMPTY: WindowCount = { count: 0, resetInMs: 0 }
