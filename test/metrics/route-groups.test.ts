import t from 'tap'
import { groupOfRoute, ROUTE_GROUPS } from '../../src/metrics/route-groups.ts'

t.test('route patterns → groups', async (t) => {
  const rows: [string | undefined, string][] = [
    ['/api/auth/*', 'auth'],
    ['/api/auth', 'auth'],
    ['/api/*', 'api'],
    ['/api', 'api'],
    ['/api/', 'api'],
    ['/auth/sign-in', 'pages'],
    ['/auth/account/sessions/revoke', 'pages'],
    ['/docs/*', 'docs'],
    ['/docs', 'docs'],
    ['/healthz', 'health'],
    ['/readyz', 'health'],
    ['/verify', 'verify'],
    ['/.well-known/jwks.json', 'jwks'],
    ['/metrics', 'metrics'],
    ['/', 'other'],
    [undefined, 'other'],
    // Slash-boundary prefixes only: a lookalike is not the group it resembles.
    ['/apix', 'other'],
    ['/api-auth/*', 'other'],
    ['/docsearch', 'other'],
    ['/healthzz', 'other'],
    ['/metrics2', 'other'],
  ]
  for (const [url, group] of rows) t.equal(ROUTE_GROUPS[groupOfRoute(url)], group, `${url} → ${group}`)
})
