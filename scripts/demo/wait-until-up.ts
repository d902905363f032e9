// Readiness: a process is up when its URL answers 2xx, not when it prints a
// line (uvicorn logs before the app imports; Docusaurus before it binds).

/**
 * Polls `url` every 200 ms until it answers 2xx. Rejects after `timeoutMs`
 * milliseconds, or as soon as `gone()` says the process that should answer
 * has exited (its log then says why).
 */
export async function waitUntilUp(url: string, gone: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      async (res) => {
        await res.body?.cancel()
        return res.ok
      },
      () => false,
    )
    if (ok) return
    if (gone()) throw new Error(`exited before ${url} answered`)
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
