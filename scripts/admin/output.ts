// What a command prints: for people, a few aligned lines on stdout; with
// --json, one JSON document on stdout. Warnings and errors go to stderr in
// both modes, so `--json | jq` never meets them.
import type { Writable } from 'node:stream'

export interface Output {
  /** True when --json was given. */
  json: boolean
  /** Prints `data` as JSON (--json), or `text()`'s lines otherwise. */
  result(data: unknown, text: () => string[]): void
  /** One line on stderr, prefixed "admin: ". */
  warn(message: string): void
}

export interface Streams {
  stdout: Writable
  stderr: Writable
}

/** Output to `streams`: JSON on stdout when `json`, lines for people otherwise. */
export function createOutput(streams: Streams, json: boolean): Output {
  return {
    json,
    result(data, text) {
      streams.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text().join('\n')}\n`)
    },
    warn(message) {
      streams.stderr.write(`admin: ${message}\n`)
    },
  }
}

/** Rows as left-aligned columns under a header, two spaces apart. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
