// One progress line for a long first-run step. On a terminal it is redrawn
// in place with the elapsed seconds; elsewhere (a CI log, a pipe) it prints
// once when the step starts and once when it ends, so logs stay readable.

export interface Progress {
  /** Ends the line with "done in N s" (or the given word). */
  done(outcome?: string): void
}

export function progress(label: string, out: NodeJS.WriteStream = process.stdout): Progress {
  const started = Date.now()
  const seconds = () => Math.round((Date.now() - started) / 1000)
  if (!out.isTTY) {
    out.write(`${label}…\n`)
    return { done: (outcome = 'done') => out.write(`${label}: ${outcome} in ${seconds()} s\n`) }
  }
  // Never wider than the terminal: a wrapped line cannot be redrawn in place.
  const fit = (text: string) => text.slice(0, Math.max(10, (out.columns ?? 80) - 1))
  const draw = () => out.write(`\r\x1b[K${fit(`${label}… ${seconds()} s`)}`)
  draw()
  const timer = setInterval(draw, 1000)
  return {
    done(outcome = 'done') {
      clearInterval(timer)
      out.write(`\r\x1b[K${label}: ${outcome} in ${seconds()} s\n`)
    },
  }
}
