// A newcomer's first `npm start` has nothing behind /docs and /api. Outside
// production, to a client on this machine, the 502 says which upstream is
// missing and how to start the repository's example there; otherwise it
// names nothing (an internal address is of use to an attacker, not to the visitor).
import type { StartHint } from '../http/errors.ts'

// Errors that mean nothing listens there (or the name does not resolve),
// as opposed to an upstream that is up and failing.
const NOT_RUNNING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * True for a client on this machine (127.0.0.0/8, ::1, or IPv4-mapped): the
 * developer who ran `npm start`. Anyone else, even outside production, is
 * told nothing about internal addresses.
 */
export function isLoopbackClient(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.')
}

/** True when `error` (as reply-from or the tunnel reports it) says nothing listens at the upstream. */
export function isNotRunning(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code
  return NOT_RUNNING.has(String(code)) || NOT_RUNNING.has(String(causeCode))
}

/**
 * The hint for the upstream mounted at `prefix`, reached at `upstream` (a
 * parsed API_UPSTREAM_URL or DOCS_UPSTREAM_URL); commands use its host and port.
 */
export function startHint(prefix: '/api' | '/docs', upstream: URL): StartHint {
  const port = upstream.port || (upstream.protocol === 'https:' ? '443' : '80')
  const host = upstream.hostname
  if (prefix === '/docs') {
    return {
      message: `Nothing answers at ${upstream.origin} (DOCS_UPSTREAM_URL): the docs site is not running. To serve the example Docusaurus site there:`,
      // The example's serve script listens on 127.0.0.1 at $PORT.
      commands: ['cd examples/docs-site', 'npm ci && npm run build', `PORT=${port} npm run serve`],
    }
  }
  return {
    message: `Nothing answers at ${upstream.origin} (API_UPSTREAM_URL): the API is not running. To start the example FastAPI app there:`,
    commands: [
      'cd examples/fastapi',
      `/usr/bin/python3 -m uvicorn main:app --host ${host} --port ${port} --proxy-headers --forwarded-allow-ips 127.0.0.1`,
    ],
  }
}
