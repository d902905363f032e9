// Who is signed in, asked once per page load and kept at module level: the
// navbar re-mounts on client-side navigation, and must neither refetch nor
// flash through "unknown" when it does. Asked again when the tab becomes
// visible or the page comes back from the back/forward cache, so a sign-out
// in another tab (or the sign-out this page posted) shows.
import { useCallback, useSyncExternalStore } from 'react'

const UNKNOWN = { state: 'unknown' }
const ANONYMOUS = { state: 'anonymous' }
// A hung gateway must not leave the navbar blank for ever.
const TIMEOUT_MS = 8000

let snapshot = UNKNOWN
let inFlight = null
let watching = false
const listeners = new Set()

function publish(next) {
  snapshot = next
  for (const listener of listeners) listener()
}

/** Better Auth answers 200 with `null`, or with {session, user: {name, email, ...}}. */
function readSession(body) {
  const user = body && typeof body === 'object' ? body.user : null
  if (!user || typeof user !== 'object') return ANONYMOUS
  const name = typeof user.name === 'string' && user.name.trim() !== '' ? user.name : user.email
  if (typeof name !== 'string' || name === '') return ANONYMOUS
  return { state: 'signed-in', name, email: typeof user.email === 'string' ? user.email : '' }
}

async function ask(sessionPath) {
  try {
    const response = await fetch(sessionPath, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(TIMEOUT_MS) : undefined,
    })
    // Gateway down (502), database down (503), anything odd: offer to sign
    // in rather than break the navbar. Signing in will say what is wrong.
    if (!response.ok) return ANONYMOUS
    return readSession(await response.json())
  } catch {
    return ANONYMOUS
  }
}

function refresh(sessionPath) {
  if (inFlight !== null) return
  inFlight = ask(sessionPath).then((next) => {
    inFlight = null
    publish(next)
  })
}

function watch(sessionPath) {
  if (watching) return
  watching = true
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh(sessionPath)
  })
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) refresh(sessionPath)
  })
}

const getSnapshot = () => snapshot
// The static HTML and the first (hydrating) render know nobody: the item
// renders its placeholder, never a guess.
const getServerSnapshot = () => UNKNOWN

/** {state: 'unknown' | 'anonymous'} or {state: 'signed-in', name, email}. */
export default function useGatewaySession(sessionPath) {
  const subscribe = useCallback(
    (listener) => {
      listeners.add(listener)
      watch(sessionPath)
      if (snapshot === UNKNOWN) refresh(sessionPath)
      return () => listeners.delete(listener)
    },
    [sessionPath],
  )
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot)
}
