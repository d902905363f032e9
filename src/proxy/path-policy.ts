// Which requests need a session: configured prefixes matched against a
// request path that http/path-normalization.ts has put in its most-decoded,
// most-normalised form, so a spelling cannot walk past the policy.
import { normalizePolicyPath } from '../http/path-normalization.ts'

/** Prepares configured prefixes with the same normalisation as request paths. */
export function normalizePrefixes(prefixes: string[]): string[] {
  return prefixes.map((prefix) => {
    const normalized = normalizePolicyPath(prefix)
    if (!normalized.ok) throw new Error(`invalid protected prefix ${prefix}: ${normalized.reason}`)
    return normalized.path
  })
}

/**
 * Match only at a slash boundary, so protecting /api/private does not also
 * protect (or, read the other way, expose) /api/privateer, and "/" covers all.
 */
export function requiresAuth(normalizedPath: string, normalizedPrefixes: readonly string[]): boolean {
  for (const prefix of normalizedPrefixes) {
    if (prefix === '/') return true
    if (
      normalizedPath.startsWith(prefix) &&
      (normalizedPath.length === prefix.length || normalizedPath[prefix.length] === '/')
    )
      return true
  }
  return false
}
