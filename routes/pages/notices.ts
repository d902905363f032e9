// After a form succeeds, the account page is fetched again (post/redirect/get)
// with ?notice=<key>. Only these keys mean anything, each mapped to fixed
// text: the query is the visitor's to write, so nothing from it is ever shown.

export const NOTICES = {
  'session-revoked': 'That session was signed out.',
  'others-revoked': 'Every other session was signed out. Only this device is still signed in.',
  'password-changed': 'Password changed. Every other session was signed out.',
} as const

export type NoticeKey = keyof typeof NOTICES

/** The fixed text for `key`, or undefined for anything that is not one of NOTICES' keys. */
export function noticeText(key: unknown): string | undefined {
  return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : undefined
}

/** The account page's address announcing `key`. */
export function accountWithNotice(key: NoticeKey): string {
  return `/auth/account?notice=${key}`
}
