// The open websocket tunnels of one upstream, and the handshakes on their
// way to becoming one, so that shutdown can end them all: a websocket may
// stay open for hours, and graceful close would otherwise wait for it.
import type { Duplex } from 'node:stream'

export class Tunnels {
  #closed = false
  readonly #sockets = new Set<Duplex>()
  readonly #handshakes = new Set<() => void>()

  /** True once closeAll() ran: no new tunnel may open. */
  get closed(): boolean {
    return this.#closed
  }

  /** Registers `abort` for a handshake in flight; call the returned function when it is settled. */
  handshake(abort: () => void): () => void {
    this.#handshakes.add(abort)
    return () => this.#handshakes.delete(abort)
  }

  /**
   * Pipes a and b both ways. A clean close of one side ends the other once
   * its pending bytes are written (a close frame in flight is delivered); an
   * error destroys both. Neither socket outlives the other.
   */
  join(a: Duplex, b: Duplex): void {
    if (this.#closed) {
      a.destroy()
      b.destroy()
      return
    }
    this.#sockets.add(a)
    this.#sockets.add(b)
    a.pipe(b)
    b.pipe(a)
    const closed = (other: Duplex) => (hadError: boolean) => {
      this.#sockets.delete(a)
      this.#sockets.delete(b)
      if (other.destroyed) return
      if (hadError) other.destroy()
      else endThenDestroy(other)
    }
    a.once('close', closed(b))
    b.once('close', closed(a))
    a.on('error', () => b.destroy())
    b.on('error', () => a.destroy())
  }

  /** Ends every tunnel and handshake, now and from now on. */
  closeAll(): void {
    this.#closed = true
    for (const abort of this.#handshakes) abort()
    this.#handshakes.clear()
    for (const socket of this.#sockets) socket.destroy()
  }
}

/** end(), then destroy once the bytes are out, or after 5 s of a peer that will not read. */
function endThenDestroy(socket: Duplex): void {
  const force = setTimeout(() => socket.destroy(), 5000)
  force.unref()
  socket.end(() => {
    clearTimeout(force)
    socket.destroy()
  })
}
