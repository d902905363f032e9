// Requests by route group, method and status class, counted on the hot path
// into one preallocated array: a count is an index computation and an
// addition, no label object, no Map lookup, no allocation. prom-client reads
// the array at scrape time (scrape-time.ts), never per request.
import { ROUTE_GROUPS } from './route-groups.ts'

/** Label values of `method`; anything else (WebDAV verbs, typos) is `other`. */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other'] as const
/** Label values of `status_class`. */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const

const M = METHODS.length
const C = STATUS_CLASSES.length

/** One labelled sample, as prom-client's Counter.inc takes it. */
export interface RequestSample {
  labels: { group: string; method: string; status_class: string }
  value: number
}

export class RequestCounts {
  /** group × method × status class; Float64 so a count stays exact past 2^32. */
  readonly #slots = new Float64Array(ROUTE_GROUPS.length * M * C)

  /**
   * Counts one answer. `group` is a ROUTE_GROUPS index (route-groups.ts),
   * `method` the request's method as sent, `status` the HTTP status (100–599;
   * anything else is counted as 5xx, the gateway's own fault).
   */
  count(group: number, method: string, status: number): void {
    const klass = status >= 100 && status < 600 ? ((status / 100) | 0) - 1 : 4
    const slot = (group * M + methodIndex(method)) * C + klass
    this.#slots[slot] = (this.#slots[slot] as number) + 1
  }

  /** Every non-zero slot, with its labels. Scrape time only: it allocates. */
  samples(): RequestSample[] {
    const samples: RequestSample[] = []
    this.#slots.forEach((value, slot) => {
      if (value === 0) return
      samples.push({
        labels: {
          group: ROUTE_GROUPS[Math.floor(slot / (M * C))] as string,
          method: METHODS[Math.floor(slot / C) % M] as string,
          status_class: STATUS_CLASSES[slot % C] as string,
        },
        value,
      })
    })
    return samples
  }
}

/** A switch on the few methods there are: cheaper than a Map, and no hashing. */
function methodIndex(method: string): number {
  switch (method) {
    case 'GET':
      return 0
    case 'HEAD':
      return 1
    case 'POST':
      return 2
    case 'PUT':
      return 3
    case 'PATCH':
      return 4
    case 'DELETE':
      return 5
    case 'OPTIONS':
      return 6
    default:
      return 7
  }
}
