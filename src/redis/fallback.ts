// The shared state answers or the caller decides alone: an operation that
// fails, or takes longer than a request should wait, falls back to the local
// answer. Whatever carries the state (Redis, the cluster's primary).
import type { SharedState } from './shared-state.ts'

/** How long a request may wait for the shared state (a shared limit, a revocation's publish), in ms. */
export const SHARED_LIMIT_TIMEOUT_MS = 250

/**
 * `shared()` when the link is up and answers within `timeoutMs`, else
 * `local()`. Never rejects because of the carrier.
 */
export async function sharedOrLocal<T>(
  link: Pick<SharedState, 'state'>,
  shared: () => Promise<T>,
  local: () => T,
  timeoutMs = SHARED_LIMIT_TIMEOUT_MS,
): Promise<T> {
  if (link.state() !== 'up') return local()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs)
  })
  try {
    const answer = await Promise.race([shared(), late])
    return answer === 'late' ? local() : answer
  } catch {
    return local()
  } finally {
    clearTimeout(timer)
  }
}
