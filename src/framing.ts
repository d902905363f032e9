// Request smuggling lives in disagreements about where a body ends. Node's
// parser already refuses Content-Length with Transfer-Encoding, duplicate or
// comma-joined Content-Length, obs-folded and bare-LF headers. It still
// accepts a coding list ending in chunked ("identity, chunked"), which other
// hops may read differently; the gateway forwards only plain chunked.
import type { IncomingHttpHeaders } from 'node:http'

export function framingProblem(headers: IncomingHttpHeaders): string | undefined {
  const te = headers['transfer-encoding']
  if (te === undefined) return undefined
  if (headers['content-length'] !== undefined) return 'Content-Length with Transfer-Encoding'
  if (te.trim().toLowerCase() !== 'chunked') return 'unsupported Transfer-Encoding'
  return undefined
}
