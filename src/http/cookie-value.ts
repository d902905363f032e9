// One cookie's value from a Cookie header, strictly: the name must start a
// pair, and a name sent more than once is reported as such rather than
// resolved. Hand-written on purpose: the `cookie` package's parse keeps the
// first pair of a repeated name, silently, which is exactly the choice a
// planted cookie exploits (cookie tossing: a sibling subdomain or a narrower
// path sets the same name, and the browser sends both); and the proxy's hot
// path scans for one name without building an object of every cookie.

/** What cookieValue answers when the name appears more than once. */
export const DUPLICATED = '\u0000duplicated'

/**
 * The value of cookie `name` in `header` (Node joins several Cookie headers
 * with "; ", so they count as one): undefined when absent or empty,
 * DUPLICATED when the name starts more than one pair.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  let found: string | undefined
  let at = header.indexOf(name)
  while (at !== -1) {
    const before = at === 0 ? ';' : header.slice(0, at).trimEnd().slice(-1)
    let eq = at + name.length
    // better-call trims the name, so `name =v` is the same cookie to Better
    // Auth; it must be to this scan too, or a duplicate could hide in it.
    while (header[eq] === ' ' || header[eq] === '\t') eq++
    if ((before === ';' || at === 0) && header[eq] === '=') {
      if (found !== undefined) return DUPLICATED
      const end = header.indexOf(';', eq)
      found = header.slice(eq + 1, end === -1 ? undefined : end).trim()
    }
    at = header.indexOf(name, at + 1)
  }
  return found === '' ? undefined : found
}
