// What the workers and the primary say to each other over the cluster's IPC
// channel, and the checks on what arrives. A message that is not one of
// these (a bug, another library's message on the same channel) is ignored,
// never trusted and never a crash.

/** Longest key, topic or published message accepted, in characters: revocations and hashed keys are far shorter. */
const MAX_TEXT = 64 * 1024
/** Longest counter window, in ms (a week): the account throttle's is 15 minutes. */
const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000

/** Worker → primary. `id` is the worker's own request number, echoed in the answer. */
export type WorkerMessage =
  | { gw: 'increment'; id: number; key: string; windowMs: number }
  | { gw: 'peek'; id: number; key: string }
  | { gw: 'reset'; id: number; key: string }
  | { gw: 'publish'; id: number; topic: string; message: string }
  /** The worker applied the delivery numbered `id` (the primary's number). */
  | { gw: 'delivered'; id: number }

/** Primary → worker. */
export type PrimaryMessage =
  /** The answer to increment, peek and reset (reset: count 0). */
  | { gw: 'counted'; id: number; count: number; resetInMs: number }
  /** Every other worker has applied the publish numbered `id`, or was given up on. */
  | { gw: 'published'; id: number }
  /** Another worker published this; answer 'delivered' with the same `id` once applied. */
  | { gw: 'deliver'; id: number; topic: string; message: string }

type Fields = Record<string, unknown>

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0
const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

function fieldsOf(raw: unknown): Fields | undefined {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Fields) : undefined
}

/** A well-formed WorkerMessage, or undefined. */
export function parseWorkerMessage(raw: unknown): WorkerMessage | undefined {
  const m = fieldsOf(raw)
  if (m === undefined || !isId(m.id)) return undefined
  const id = m.id
  switch (m.gw) {
    case 'increment': {
      const { key, windowMs } = m
      if (!isText(key) || !Number.isSafeInteger(windowMs)) return undefined
      if ((windowMs as number) < 1 || (windowMs as number) > MAX_WINDOW_MS) return undefined
      return { gw: 'increment', id, key, windowMs: windowMs as number }
    }
    case 'peek':
    case 'reset':
      return isText(m.key) ? { gw: m.gw, id, key: m.key } : undefined
    case 'publish':
      return isText(m.topic) && isText(m.message)
        ? { gw: 'publish', id, topic: m.topic, message: m.message }
        : undefined
    case 'delivered':
      return { gw: 'delivered', id }
    default:
      return undefined
  }
}

/** A well-formed PrimaryMessage, or undefined. */
export function parsePrimaryMessage(raw: unknown): PrimaryMessage | undefined {
  const m = fieldsOf(raw)
  if (m === undefined || !isId(m.id)) return undefined
  const id = m.id
  switch (m.gw) {
    case 'counted':
      return isCount(m.count) && isCount(m.resetInMs)
        ? { gw: 'counted', id, count: m.count, resetInMs: m.resetInMs }
        : undefined
    case 'published':
      return { gw: 'published', id }
    case 'deliver':
      return isText(m.topic) && isText(m.message)
        ? { gw: 'deliver', id, topic: m.topic, message: m.message }
        : undefined
    default:
      return undefined
  }
}

/**
 * One end of an IPC channel: `process` in a worker, a cluster `Worker` in
 * the primary (both have this shape), or an in-memory pair in unit tests.
 */
export interface IpcEnd {
  send(message: unknown, callback?: (error: Error | null) => void): boolean
  on(event: 'message', listener: (message: unknown) => void): unknown
}
