// docker-compose.yml as Compose resolves it. No Docker engine runs here, so
// the stack is checked where it can be: which services start, what the host
// can reach (only the gateway's port), which networks are internal (so only
// the gateway can send identity headers to api and docs), and that the
// gateway's environment is a configuration the gateway accepts. The api's
// command line is then run under the real uvicorn, as the image runs it.

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parseConfig } from '../../src/config/config.ts'
import { EXAMPLE_DIR, startUvicorn, uvicornMissing } from '../fixtures/uvicorn.ts'
import { composeConfig, mountOf, portOf, runComposeConfig, startedServices } from './fixtures/compose.ts'

const SECRET = { BETTER_AUTH_SECRET: 'compose-test-secret-0123456789abcdef0123' }

t.test('services: postgres, gateway, docs and api; --profile scale adds redis', async (t) => {
  t.same(startedServices(await composeConfig(t, SECRET), []), ['api', 'docs', 'gateway', 'postgres'])
  const scaled = await composeConfig(t, SECRET, ['scale'])
  t.same(startedServices(scaled, ['scale']), ['api', 'docs', 'gateway', 'postgres', 'redis'])
  t.same(scaled.services.redis?.profiles, ['scale'], 'redis starts only with the profile')
})

t.test(
  'only the gateway publishes a port, 127.0.0.1:3001; everything else is on internal networks only',
  async (t) => {
    const file = await composeConfig(t, SECRET, ['scale'])
    const { services, networks } = file
    const gatewayPorts = (services.gateway?.ports ?? []).map(portOf)
    t.same(
      gatewayPorts,
      [{ hostIp: '127.0.0.1', published: 3001, target: 3001 }],
      'on the host’s loopback only',
    )
    for (const name of ['api', 'docs', 'postgres', 'redis']) {
      t.same(services[name]?.ports ?? [], [], `${name} publishes nothing`)
      const joined = Object.keys(services[name]?.networks ?? {})
      t.ok(joined.length > 0, `${name} is on a named network (not the default one)`)
      for (const network of joined)
        t.equal(networks[network]?.internal, true, `${name}: ${network} is internal`)
    }
    t.same(networks.upstreams, { internal: true })
    t.same(networks.data, { internal: true })
    t.not(networks.edge?.internal, true, 'edge, the one the port is published on, reaches the host')
    const on = (network: string) =>
      Object.keys(services)
        .filter((s) => Object.keys(services[s]?.networks ?? {}).includes(network))
        .sort()
    t.same(on('edge'), ['gateway'], 'only the gateway is on the edge')
    t.same(on('upstreams'), ['api', 'docs', 'gateway'], 'api and docs hear from the gateway alone')
    t.same(on('data'), ['gateway', 'postgres', 'redis'])
  },
)

t.test('postgres: a healthcheck and a named volume; the gateway waits until it is healthy', async (t) => {
  const { services, volumes } = await composeConfig(t, SECRET)
  const postgres = services.postgres
  t.match(JSON.stringify(postgres?.healthcheck?.test), /pg_isready/)
  const mounts = (postgres?.volumes ?? []).map(mountOf)
  t.same(mounts, [{ source: 'pgdata', target: '/var/lib/postgresql/data' }])
  t.ok('pgdata' in volumes, 'pgdata is a named volume')
  t.equal(services.gateway?.depends_on?.postgres?.condition, 'service_healthy')
})

t.test(
  'api: uvicorn with --proxy-headers, the gateway keys, its issuer, items on a named volume',
  async (t) => {
    for (const publicUrl of [undefined, 'https://docs.example.com']) {
      const vars = publicUrl === undefined ? SECRET : { ...SECRET, PUBLIC_URL: publicUrl }
      const { services, volumes } = await composeConfig(t, vars)
      const api = services.api
      const expected = publicUrl ?? 'http://localhost:3001'
      t.ok(api?.command?.includes('--proxy-headers'), 'the command has --proxy-headers')
      t.equal(api?.environment?.GATEWAY_JWKS_URL, 'http://gateway:3001/.well-known/jwks.json')
      t.equal(api?.environment?.GATEWAY_ISSUER, expected, 'the issuer is PUBLIC_URL')
      t.equal(services.gateway?.environment?.PUBLIC_URL, expected, "and the gateway's PUBLIC_URL")
      t.equal(services.docs?.build?.args?.PUBLIC_URL, expected, 'and the docs build knows it')
      const items = (api?.volumes ?? []).map(mountOf)
      t.same(items, [{ source: 'items', target: '/data' }])
      t.ok('items' in volumes, 'items is a named volume')
      t.equal(api?.environment?.ITEMS_DB, '/data/items.sqlite3')
    }
  },
)

t.test("the gateway's environment is a configuration the gateway accepts", async (t) => {
  const { services } = await composeConfig(t, SECRET)
  // The image's ENV (Dockerfile) under compose's environment, as the container sees it.
  const env = { NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3001', DATA_DIR: '/data' }
  const config = parseConfig({ ...env, ...services.gateway?.environment })
  t.equal(config.secret, SECRET.BETTER_AUTH_SECRET)
  t.same(config.database, {
    driver: 'pg',
    url: 'postgres://gateway:gateway@postgres:5432/gateway',
    neonWsProxy: undefined,
  })
  t.equal(config.apiUpstream, 'http://api:8000')
  t.equal(config.docsUpstream, 'http://docs:3000')
  t.same(config.authRequiredPaths, ['/docs/private'], "the example's private section")
  t.equal(services.gateway?.environment?.REDIS_URL, '', 'REDIS_URL is passed empty (unset) by default')
})

t.test('without BETTER_AUTH_SECRET compose refuses, and says how to make one', async (t) => {
  const run = await runComposeConfig(t, {})
  t.not(run.status, 0)
  t.match(run.stderr, 'set BETTER_AUTH_SECRET (openssl rand -base64 32)')
})

/** GET with the gateway's forwarded headers, from `localAddress`; the redirect's Location. */
function forwardedRedirect(url: string, localAddress: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const headers = {
      host: 'docs.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '203.0.113.9',
    }
    request(`${url}/api/public/`, { localAddress, headers }, (res) => {
      res.resume()
      resolve(res.headers.location)
    })
      .on('error', reject)
      .end()
  })
}

/**
 * A uvicorn command line (compose's or the image's) for the fixture, which
 * binds loopback on a free port itself: checks it runs main:app on 0.0.0.0:8000
 * (inside the container: every interface, the gateway's API_UPSTREAM_URL),
 * then drops those.
 */
function loopbackFlags(t: Test, command: string[]): string[] {
  const [program, app, ...flags] = command
  t.same([program, app], ['uvicorn', 'main:app'])
  const host = flags.indexOf('--host')
  const port = flags.indexOf('--port')
  t.same([flags[host + 1], flags[port + 1]], ['0.0.0.0', '8000'])
  return flags.filter((_, i) => ![host, host + 1, port, port + 1].includes(i))
}

t.test(
  "the api's command line, under the real uvicorn, believes forwarded headers from any caller",
  async (t) => {
    const missing = uvicornMissing()
    if (missing !== undefined) throw new Error(missing)
    const { services } = await composeConfig(t, SECRET)
    const scratch = await mkdtemp(join(tmpdir(), 'gw-compose-api-'))
    t.teardown(() => rm(scratch, { recursive: true, force: true }))
    const target = { app: 'main:app', cwd: EXAMPLE_DIR, env: { ITEMS_DB: join(scratch, 'items.sqlite3') } }

    // 127.0.0.2 stands for the gateway's address on `upstreams`: not loopback's 127.0.0.1.
    const api = await startUvicorn(loopbackFlags(t, services.api?.command ?? []), target)
    t.teardown(() => api.close())
    t.equal(await forwardedRedirect(api.url, '127.0.0.2'), 'https://docs.example.com/api/public')

    // Teeth: the image's own CMD (no --forwarded-allow-ips: uvicorn's default,
    // 127.0.0.1) does not believe the same caller.
    const dockerfile = await readFile(join(EXAMPLE_DIR, 'Dockerfile'), 'utf8')
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[]
    t.notOk(cmd.includes('--forwarded-allow-ips'), "the image's CMD keeps uvicorn's default")
    const strict = await startUvicorn(loopbackFlags(t, cmd), target)
    t.teardown(() => strict.close())
    t.equal(await forwardedRedirect(strict.url, '127.0.0.2'), 'http://docs.example.com/api/public')
  },
)
