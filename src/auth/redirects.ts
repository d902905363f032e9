// After sign-in the browser is sent to `returnTo`. Anything that a browser
// could resolve to another origin is an open redirect (and a phishing aid), so
// only a plain same-origin path is accepted; everything else becomes "/".

const BASE = 'http://gateway.invalid'
const CONTROL = /[\u0000-\u001f\u007f]/

export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 2048) return '/'
  // "//evil" and "/\evil" are protocol-relative to browsers; "\" anywhere is
  // read as "/" by WHATWG URL parsing; tabs and newlines are stripped by it.
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || CONTROL.test(value))
    return '/'
  let url: URL
  try {
    url = new URL(value, BASE)
  } catch {
    return '/'
  }
  if (url.origin !== BASE) return '/'
  // Dot-segment removal can turn "/.//evil.com" into "//evil.com": the
  // result must pass the same test as the input.
  if (url.pathname.startsWith('//')) return '/'
  return `${url.pathname}${url.search}${url.hash}`
}
