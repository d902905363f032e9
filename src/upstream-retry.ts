// An upstream closes an idle keep-alive connection on its own clock (uvicorn
// and Node after 5 s, gunicorn's async workers after 2 s). A request written
// onto a connection in that instant fails before any answer, through no fault
// of the request. nginx retries such a request once on a new connection
// (ngx_http_upstream_next on a cached peer); so does the gateway, for methods
// a repeat cannot harm.

/** RFC 9110 §9.2.2: a repeat has the same effect as one request. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

/** What a connection closed under a request looks like from undici. */
const CLOSED_UNDER_US = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])

export interface RetryQuestion {
  /** The error that ended the attempt, if any (a response means it did not fail). */
  err?: { code?: string } | null
  res?: unknown
  req: { method: string; headers: Record<string, unknown> }
  /** Attempts already retried, from 0. */
  attempt: number
}

/**
 * reply-from's `retryDelay`: milliseconds to wait before the one retry, or
 * null for none. Retries only an idempotent request without a body (a body
 * stream cannot be sent twice), only once, and only when the connection failed
 * before a response head arrived: reply-from asks only then, before anything
 * reached the client. An upstream's own answer, 503 included, is never retried.
 */
export function upstreamRetryDelay({ err, res, req, attempt }: RetryQuestion): number | null {
  if (attempt > 0 || res != null || err == null) return null
  if (!CLOSED_UNDER_US.has(err.code ?? '')) return null
  if (!IDEMPOTENT.has(req.method)) return null
  const length = req.headers['content-length']
  if ((length !== undefined && String(length) !== '0') || req.headers['transfer-encoding'] !== undefined)
    return null
  // reply-from skips a zero delay as "no retry"; 1 ms is as good as now.
  return 1
}
