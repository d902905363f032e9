import { randomUUID } from 'node:crypto'

// A client-supplied id is kept so a trace spans the caller, the gateway and the
// backend; anything else is replaced, so log lines cannot be forged or bloated.
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : randomUUID()
}
