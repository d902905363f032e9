// Better Auth sends the browser to these fields after sign-in, sign-up, a
// password reset or an error. Any that is not a same-origin path is an open
// redirect, so it becomes "/" (redirects.ts), in the query and in the body.

import { safeReturnTo } from '../redirects.ts'
import { type AuthCall, type Guard, rebuildRequest } from './call.ts'

export const REDIRECT_FIELDS = [
  'callbackURL',
  'redirectTo',
  'errorCallbackURL',
  'newUserCallbackURL',
] as const

/** Passes on the call with every unsafe redirect field set to "/" (see withSafeRedirects). */
export const redirectTargetsGuard: Guard = (call, next) => next(withSafeRedirects(call))

/**
 * `call` with each redirect field that is not a same-origin path replaced by
 * "/": in the query (string values) and in a JSON object body (any value that
 * is not such a string, numbers and objects included). Returns the very same
 * `call` when nothing needed replacing.
 */
export function withSafeRedirects(call: AuthCall): AuthCall {
  const url = new URL(call.url)
  let changedUrl = false
  for (const field of REDIRECT_FIELDS) {
    const value = url.searchParams.get(field)
    if (value !== null && safeReturnTo(value) !== value) {
      url.searchParams.set(field, '/')
      changedUrl = true
    }
  }

  let json = call.json
  for (const field of REDIRECT_FIELDS) {
    const value = json?.[field]
    if (value !== undefined && (typeof value !== 'string' || safeReturnTo(value) !== value)) {
      json = { ...json, [field]: '/' }
    }
  }
  if (!changedUrl && json === call.json) return call

  const body = json === call.json ? call.body : JSON.stringify(json)
  const target = changedUrl ? url : call.url
  return { ...call, request: rebuildRequest(call.request, target, body), url: target, body, json }
}
