// Better Auth keeps its per-request context in AsyncLocalStorage; on Node 20
// (and 22 without AsyncContextFrame) its first run() turns async_hooks on for
// the whole process, and every proxied request pays for it. Node turns them
// off again once no storage is enabled, so calls into Better Auth are counted
// and its storages disabled when the last settles (docs/operations.md).
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
