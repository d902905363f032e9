// What the gateway answers when Node's HTTP parser rejects bytes before (or
// after) Fastify sees a request: a malformed head, a bad chunk, an oversize
// head, a request that took too long. Fastify's default handler writes its
// 400 whatever the socket has already carried; when the gateway answered a
// head before its body arrived (a redirect, a 401) and the body then fails to
// parse, that 400 is a second response to one request, and a
// connection-reusing proxy in front would hand it to the next client
// (response desync). Here nothing is written once an answer has started:
// the connection is just closed.
import type { Socket } from 'node:net'
import { statusText } from './error-handler.ts'

// Node internals, read-only, the same ones Node's own default handler checks:
// the response in flight on the socket, and the request being parsed, whose
// unread body Node dumps after its answer has finished.
interface HttpSocket extends Socket {
  _httpMessage?: { headersSent?: boolean } | null
  parser?: { incoming?: { _dumped?: boolean } | null } | null
}

/** Node's error codes for what is not a plain 400, with the message sent. */
const STATUS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [431, 'The request head is too large'],
}
const BAD_REQUEST: [number, string] = [400, 'Malformed HTTP request']

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const http = socket as HttpSocket
  const answered = http._httpMessage?.headersSent === true || http.parser?.incoming?._dumped === true
  if (socket.writable && !answered) {
    const [status, message] = STATUS[error.code ?? ''] ?? BAD_REQUEST
    const text = statusText(status)
    const body = JSON.stringify({ statusCode: status, code: 'GW_CLIENT_ERROR', error: text, message })
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`,
    )
  }
  // Nothing after a parse error can be trusted to be framed right.
  socket.destroy()
}
