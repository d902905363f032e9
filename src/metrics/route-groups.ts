// The route groups that gateway_http_requests_total counts by: a fixed, small
// set, so the label's cardinality never grows with what clients request.

/** Label values, in slot order. */
export const ROUTE_GROUPS = [
  'auth',
  'pages',
  'api',
  'docs',
  'health',
  'verify',
  'jwks',
  'metrics',
  'other',
] as const

export type RouteGroup = (typeof ROUTE_GROUPS)[number]

/** The slot index of `group` in ROUTE_GROUPS. */
export const groupIndex = (group: RouteGroup): number => ROUTE_GROUPS.indexOf(group)

// First match wins: /api/auth/ is Better Auth's before /api is the API's.
// A prefix matches only itself or a slash-boundary child, so /apix is not api.
const PREFIXES: readonly (readonly [string, RouteGroup])[] = [
  ['/api/auth', 'auth'],
  ['/api', 'api'],
  ['/auth', 'pages'],
  ['/docs', 'docs'],
  ['/healthz', 'health'],
  ['/readyz', 'health'],
  ['/verify', 'verify'],
  ['/.well-known/jwks.json', 'jwks'],
  ['/metrics', 'metrics'],
]

/**
 * The group of a route, from the route's own pattern (Fastify's
 * `routeOptions.url`, e.g. `/api/*`), never from the requested path; a request
 * that matched no route (`undefined`) is `other`. Returns a ROUTE_GROUPS index.
 */
export function groupOfRoute(url: string | undefined): number {
  if (url !== undefined) {
    for (const [prefix, group] of PREFIXES) {
      if (url === prefix || (url.startsWith(prefix) && url.charCodeAt(prefix.length) === 47) /* / */)
        return groupIndex(group)
    }
  }
  return OTHER
}

const OTHER = groupIndex('other')
