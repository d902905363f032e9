// Cache misses that arrive together share one query. Under load the misses
// for many distinct sessions land in the same turn of the event loop; asking
// for them with one query (rows.ts, joined to the user) costs one
// round trip instead of one per request, which is what lets many distinct
// sessions run near proxy speed.

export interface SessionRow {
  token: string
  /** The session's id: the assertion's `sid` (the token is a secret and never leaves the gateway). */
  sessionId: string
  userId: string
  email: string
  name: string
  expiresAt: Date
}

/** Fetches the rows for these tokens; tokens with no live row are simply absent. */
export type FindSessions = (tokens: string[]) => Promise<SessionRow[]>

export type LoadSessionRow = (token: string) => Promise<SessionRow | undefined>

interface Waiter {
  token: string
  resolve: (row: SessionRow | undefined) => void
  reject: (error: unknown) => void
}

/**
 * Collects the tokens asked for until the event loop has handled the I/O that
 * is ready (setImmediate), then fetches them in batches of at most `maxBatch`.
 * A failed query fails every waiter of its batch, and only those.
 */
export function batchSessionLoads(findSessions: FindSessions, maxBatch = 100): LoadSessionRow {
  let queue: Waiter[] = []

  const run = async (batch: Waiter[]) => {
    try {
      const rows = await findSessions([...new Set(batch.map((w) => w.token))])
      const byToken = new Map(rows.map((row) => [row.token, row]))
      for (const waiter of batch) waiter.resolve(byToken.get(waiter.token))
    } catch (error) {
      for (const waiter of batch) waiter.reject(error)
    }
  }

  const flush = () => {
    const waiting = queue
    queue = []
    for (let at = 0; at < waiting.length; at += maxBatch) void run(waiting.slice(at, at + maxBatch))
  }

  return (token) =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush)
      queue.push({ token, resolve, reject })
    })
}
