// /docs/* → DOCS_UPSTREAM_URL (Docusaurus with baseUrl "/docs/").
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config/config.ts'
import { registerProxy } from '../../src/proxy/register.ts'

export default async function docsProxy(app: FastifyInstance, { config }: { config: Config }) {
  await registerProxy(app, { config, prefix: '/docs', upstream: config.docsUpstream, surface: 'page' })
}
