// Request smuggling lives in disagreements about where a body ends. Node's
// parser already refuses Content-Length with Transfer-Encoding, duplicate or
// comma-joined Content-Length, obs-folded and bare-LF headers. It still
// accepts a coding list ending in chunked ("identity, chunked"), which other
// hops may read differently; the gateway forwards only plain chunked.
import type { IncomingHttpHeaders } from 'node:http'

/**
 * Why a request's framing is ambiguous, or undefined. `upgrade` is Node's
 * own verdict (IncomingMessage.upgrade): it hands whatever follows the head
 * of an Upgrade request to the new protocol, so a body there would be read
 * by nobody, and the request proxied without it.
 */
export function framingProblem(headers: IncomingHttpHeaders, upgrade = false): string | undefined {
  const te = headers['transfer-encoding']
  if (upgrade && (te !== undefined || (headers['content-length'] ?? '0') !== '0'))
    return 'a request body with Upgrade'
  if (te === undefined) return undefined
  if (headers['content-length'] !== undefined) return 'Content-Length with Transfer-Encoding'
  if (te.trim().toLowerCase() !== 'chunked') return 'unsupported Transfer-Encoding'
  return undefined
}
