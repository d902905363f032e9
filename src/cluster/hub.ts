// The primary's side of what the workers share without Redis: it holds the
// counters (memory-counters.ts) and answers each worker's increment, peek and
// reset; it relays each worker's publish to every other worker and answers
// the publisher once they have all applied it, so a sign-out's response
// leaves only after every sibling has forgotten the session.
import { MemoryCounters } from './memory-counters.ts'
import { type IpcEnd, type PrimaryMessage, parseWorkerMessage, type WorkerMessage } from './messages.ts'

/** How long a publish waits for a sibling's acknowledgement before answering anyway, in ms. */
export const DELIVERY_TIMEOUT_MS = 200

interface Delivery {
  /** Workers that have not yet acknowledged. */
  waiting: Set<number>
  finish(): void
}

export class Hub {
  readonly #workers = new Map<number, IpcEnd>()
  readonly #deliveries = new Map<number, Delivery>()
  #nextDelivery = 0

  constructor(
    readonly counters = new MemoryCounters(),
    private readonly deliveryTimeoutMs = DELIVERY_TIMEOUT_MS,
  ) {}

  /** Starts serving worker `id` (cluster's worker.id) on `end`. */
  attach(id: number, end: IpcEnd): void {
    this.#workers.set(id, end)
    end.on('message', (raw) => {
      const message = parseWorkerMessage(raw)
      if (message !== undefined && this.#workers.get(id) === end) this.#handle(id, end, message)
    })
  }

  /** Worker `id` is gone: nothing more is sent to it, and no publish waits for it. */
  detach(id: number): void {
    this.#workers.delete(id)
    for (const delivery of this.#deliveries.values()) {
      delivery.waiting.delete(id)
      if (delivery.waiting.size === 0) delivery.finish()
    }
  }

  #handle(from: number, end: IpcEnd, message: WorkerMessage): void {
    const { id } = message
    if (message.gw === 'increment')
      send(end, { gw: 'counted', id, ...this.counters.increment(message.key, message.windowMs) })
    else if (message.gw === 'peek') send(end, { gw: 'counted', id, ...this.counters.peek(message.key) })
    else if (message.gw === 'reset') {
      this.counters.reset(message.key)
      send(end, { gw: 'counted', id, count: 0, resetInMs: 0 })
    } else if (message.gw === 'publish') this.#relay(from, end, message)
    else {
      const delivery = this.#deliveries.get(id)
      delivery?.waiting.delete(from)
      if (delivery?.waiting.size === 0) delivery.finish()
    }
  }

  #relay(from: number, end: IpcEnd, { id, topic, message }: { id: number; topic: string; message: string }) {
    const number = this.#nextDelivery++
    const delivery: Delivery = {
      waiting: new Set(),
      finish: () => {
        if (!this.#deliveries.delete(number)) return
        clearTimeout(timer)
        send(end, { gw: 'published', id })
      },
    }
    this.#deliveries.set(number, delivery)
    // A sibling that is stuck must not hold a sign-out's response for long:
    // the message is in its channel and applies as soon as it reads it.
    const timer = setTimeout(() => delivery.finish(), this.deliveryTimeoutMs)
    timer.unref()
    for (const [worker, other] of this.#workers) {
      if (worker === from) continue
      delivery.waiting.add(worker)
      send(other, { gw: 'deliver', id: number, topic, message })
    }
    if (delivery.waiting.size === 0) delivery.finish()
  }
}

/** Sends, never throws: a worker whose channel has just closed is detached by its exit. */
function send(end: IpcEnd, message: PrimaryMessage): void {
  try {
    end.send(message, () => {})
  } catch {
    // ERR_IPC_CHANNEL_CLOSED: the worker is exiting.
  }
}
