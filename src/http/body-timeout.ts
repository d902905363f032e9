// A request body is timed by its silence, not by its length, as nginx's
// client_body_timeout does: a large upload on a slow link may take as long as
// it needs, while a body that stops arriving (a stalled or malicious client)
// is cut off. Node's own requestTimeout bounds the whole request instead,
// which turned every upload slower than 60 s into a 408.
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Arms `idleMs` of socket inactivity while `req`'s body arrives and disarms
 * it when the body ends. When it fires, Node's HTTP server destroys the
 * socket (no listener takes the 'timeout'): the client sees the connection
 * close, the upstream a body that never completed. Requests without a body
 * cost one header read.
 */
export function timeRequestBody(req: IncomingMessage, res: ServerResponse, idleMs: number): void {
  const headers = req.headers
  if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return
  if (req.complete) return
  const socket = req.socket
  // inject() (light-my-request) hands over a socket stand-in without timers.
  if (typeof socket?.setTimeout !== 'function') return
  socket.setTimeout(idleMs)
  // A body drained after the answer (one the route never read) must leave
  // alone the keep-alive timeout Node set when that answer finished.
  req.once('end', () => {
    if (!res.writableEnded) socket.setTimeout(0)
  })
}
