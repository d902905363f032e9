// Better Auth keeps its per-request context in AsyncLocalStorage. Where that
// storage is built on async_hooks (Node 20; Node 22 without AsyncContextFrame),
// the first run() of any storage turns the hooks on for the whole process, for
// good: every promise, socket and timer the proxy creates from then on pays to
// carry the store along, though Better Auth has nothing to do with it: the
// largest single part of the gateway's overhead over a bare hop once anyone
// has signed in (docs/performance.md, "Why the code is shaped this way").
//
// Node turns the hooks off again once no storage is enabled, and a disabled
// storage enables itself on its next run(). So every call into Better Auth is
// counted, and when the last one in flight settles, its storages are
// disabled. Nothing of Better Auth's outlives its call: it awaits its
// background work and database hooks unless advanced.backgroundTasks is set,
// which this gateway does not do.
import { AsyncLocalStorage } from 'node:async_hooks'

/** True where AsyncLocalStorage rides on async_hooks; AsyncContextFrame has no _enable. */
export const STORAGE_USES_ASYNC_HOOKS = '_enable' in AsyncLocalStorage.prototype

/** Better Auth's storages, wherever it keeps them (see @better-auth/core context/global). */
export function betterAuthStorages(): AsyncLocalStorage<unknown>[] {
  const global = (globalThis as Record<symbol, { context?: Record<string, unknown> } | undefined>)[
    Symbol.for('better-auth:global')
  ]
  return Object.values(global?.context ?? {}).filter(
    (value): value is AsyncLocalStorage<unknown> => value instanceof AsyncLocalStorage,
  )
}

interface Callable {
  handler: (request: Request) => Promise<Response>
  api: object
}

/**
 * The same auth object, with `handler` and every `api` endpoint counted, and
 * `storages()` disabled whenever the count returns to zero. A no-op where the
 * storages do not use async_hooks.
 */
export function releaseAsyncContextBetweenCalls<T extends Callable>(
  auth: T,
  storages: () => { disable(): void }[] = betterAuthStorages,
  enabled = STORAGE_USES_ASYNC_HOOKS,
): T {
  if (!enabled) return auth
  let inFlight = 0
  const counted = async (fn: (...args: never[]) => unknown, self: unknown, args: unknown[]) => {
    inFlight++
    try {
      return await Reflect.apply(fn, self, args)
    } finally {
      if (--inFlight === 0) for (const storage of storages()) storage.disable()
    }
  }
  // Endpoints are functions with properties (path, options); a Proxy keeps
  // them, and each wrapper is made once.
  const wrapped = new Map<PropertyKey, unknown>()
  const api = new Proxy(auth.api, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (typeof value !== 'function') return value
      let wrapper = wrapped.get(key)
      if (wrapper === undefined) {
        wrapper = new Proxy(value, { apply: (fn, self, args) => counted(fn, self, args) })
        wrapped.set(key, wrapper)
      }
      return wrapper
    },
  })
  const handler = (request: Request) => counted(auth.handler, auth, [request]) as Promise<Response>
  // The auth object's other members ($context, options, $Infer…) are plain
  // properties: a prototype chain keeps them reachable without copying.
  return Object.create(auth, {
    handler: { value: handler, enumerable: true },
    api: { value: api, enumerable: true },
  }) as T
}
