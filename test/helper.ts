// Builds the real gateway for inject(): real database (see
// fixtures/test-database.ts), real echo upstreams on port 0, Better Auth with
// its origin checks on (NODE_ENV is never "test"; requests carry an Origin).

import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyHttpOptions, FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Database } from '../db/client.ts'
import { buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config/config.ts'
import { type EchoUpstream, startEchoUpstream } from './fixtures/echo-upstream.ts'
import { createTestDatabase, type TestDatabase } from './fixtures/test-database.ts'
import { freePort, startFastapiExample, uvicornMissing } from './fixtures/uvicorn.ts'

export const ORIGIN = 'http://localhost:3001'
export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef'

export interface Teardown {
  teardown(fn: () => unknown): void
}

export interface Harness {
  app: FastifyInstance
  api: EchoUpstream
  docs: EchoUpstream
  db: TestDatabase
  database: Database
}

export interface HarnessOptions {
  env?: Record<string, string>
  /** The file's database (see fileDatabase); a fresh one per harness otherwise. */
  db?: TestDatabase
  /** Server-level options (e.g. serverOptions() with short timeouts). */
  fastify?: FastifyHttpOptions<Server>
  /** Reuse upstreams (e.g. across a restart). */
  api?: EchoUpstream
  docs?: EchoUpstream
}

export function testConfig(env: Record<string, string>, db: TestDatabase) {
  const config = parseConfig({
    PUBLIC_URL: ORIGIN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: db.dataDir,
    ...env,
  })
  return { ...config, database: db.config, secret: SECRET }
}

export async function buildHarness(t: Teardown, options: HarnessOptions = {}): Promise<Harness> {
  const db = options.db ?? (await createTestDatabase())
  if (options.db === undefined) t.teardown(() => db.close())
  const api = options.api ?? (await startEchoUpstream())
  const docs = options.docs ?? (await startEchoUpstream())
  if (options.api === undefined) t.teardown(() => api.close())
  if (options.docs === undefined) t.teardown(() => docs.close())
  const database = await db.shared()
  const config = testConfig({ API_UPSTREAM_URL: api.url, DOCS_UPSTREAM_URL: docs.url, ...options.env }, db)
  const app = await buildApp(config, { database, fastify: options.fastify })
  t.teardown(() => app.close())
  return { app, api, docs, db, database }
}

/** One database per test file, dropped when the file ends. */
export async function fileDatabase(t: Teardown): Promise<TestDatabase> {
  const db = await createTestDatabase()
  t.teardown(() => db.close())
  return db
}

let counter = 0
/** A distinct client address per user: Better Auth allows 3 sign-ins per 10 s per IP. */
export function nextIp(): string {
  counter++
  return `10.${(counter >> 16) & 255}.${(counter >> 8) & 255}.${counter & 255}`
}

export interface TestUser {
  email: string
  name: string
  password: string
  ip: string
  /** "better-auth.session_token=…" ("__Host-…" on https), ready for a Cookie header. */
  cookie: string
}

export function sessionCookie(res: LightMyRequestResponse): string {
  const setCookie = res.headers['set-cookie']
  const all = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]
  const session = all.find(
    (c) => c.startsWith('better-auth.session_token=') || c.startsWith('__Host-better-auth.session_token='),
  )
  if (session === undefined) throw new Error(`no session cookie in response ${res.statusCode}: ${res.body}`)
  return session.split(';')[0] as string
}

export async function signUp(app: FastifyInstance, overrides: Partial<TestUser> = {}): Promise<TestUser> {
  const ip = overrides.ip ?? nextIp()
  const user = {
    email: overrides.email ?? `user-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
    name: overrides.name ?? 'Test User',
    password: overrides.password ?? 'correct horse battery staple',
  }
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers: { origin: ORIGIN },
    remoteAddress: ip,
    payload: user,
  })
  if (res.statusCode !== 200) throw new Error(`sign-up failed ${res.statusCode}: ${res.body}`)
  return { ...user, ip, cookie: sessionCookie(res) }
}

export async function signIn(
  app: FastifyInstance,
  user: Pick<TestUser, 'email' | 'password'>,
  ip = nextIp(),
) {
  return app.inject({
    method: 'POST',
    url: '/api/auth/sign-in/email',
    headers: { origin: ORIGIN },
    remoteAddress: ip,
    payload: { email: user.email, password: user.password },
  })
}

/** Parses the echo upstream's answer: what the upstream received. */
export function received(res: LightMyRequestResponse) {
  return res.json() as { method: string; url: string; headers: Record<string, string>; body: string }
}

/** Listens on a random loopback port (for raw sockets and websockets); returns the port. */
export async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

/**
 * The real FastAPI example (examples/fastapi under uvicorn, items in a
 * scratch SQLite file) behind a gateway that listens on loopback, so the
 * example fetches the gateway's JWKS over HTTP as it would in production.
 * Throws, never skips, when the Python packages are missing.
 */
export async function fastapiExampleBehindGateway(t: Teardown, db: TestDatabase) {
  const missing = uvicornMissing()
  if (missing !== undefined) throw new Error(missing)
  const itemsDir = await mkdtemp(join(tmpdir(), 'gw-items-'))
  t.teardown(() => rm(itemsDir, { recursive: true, force: true }))
  // The example must know the JWKS URL before the gateway (which needs the
  // example's address) exists: reserve the gateway's port first.
  const gatewayPort = await freePort()
  const backend = await startFastapiExample(gatewayPort, ORIGIN, join(itemsDir, 'items.sqlite3'))
  t.teardown(() => backend.close())
  const { app } = await buildHarness(t, { db, env: { API_UPSTREAM_URL: backend.url } })
  await app.listen({ port: gatewayPort, host: '127.0.0.1' })
  return { app, backend, gatewayPort }
}
