// An upstream closes an idle keep-alive connection on its own clock (uvicorn
// and Node after 5 s, gunicorn's async workers after 2 s). A request written
// onto a connection in that instant fails before any answer, through no fault
// of the request. nginx retries such a request once on a new connection
// (ngx_http_upstream_next on a cached peer); so does the gateway, for methods
// a repeat cannot harm.

/** RFC 9110 §9.2.2: a repeat has the same effect as one request (TRACE is not proxied at all). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/** What a connection closed under a request looks like from undici. */
const CLOSED_UNDER_US = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])

export interface RetryQuestion {
  /** The error that ended the attempt, if any (a response means it did not fail). */
  err?: { code?: string } | null
  res?: unknown
  /**
   * reply-from's request options: the method, the headers going upstream
   * (hop-by-hop ones such as Transfer-Encoding already removed), and the body
   * it sends: '' or undefined for none, else the client's body stream.
   */
  req: { method: string; headers: Record<string, unknown>; body?: unknown }
  /** Attempts already retried, from 0. */
  attempt: number
}

/**
 * reply-from's `retryDelay`, asked after every attempt: milliseconds to wait
 * before the one retry, or null for none. Retries only an idempotent request
 * without a body (a body stream is consumed by the first attempt: a repeat
 * would send an empty one), only once, and only when the attempt failed with
 * no response at all, i.e. before anything reached the client. An upstream's
 * own answer, 503 included, is never retried.
 */
export function upstreamRetryDelay({ err, res, req, attempt }: RetryQuestion): number | null {
  if (attempt > 0 || res != null || err == null) return null
  if (!CLOSED_UNDER_US.has(err.code ?? '')) return null
  if (!IDEMPOTENT.has(req.method)) return null
  // The body itself decides, not its framing headers: a chunked body has lost
  // its Transfer-Encoding by now (hop-by-hop), and would be retried empty.
  if (req.body !== undefined && req.body !== '' && req.body !== null) return null
  const length = req.headers['content-length']
  if (length !== undefined && String(length) !== '0') return null
  // reply-from skips a zero delay as "no retry"; 1 ms is as good as now.
  return 1
}
