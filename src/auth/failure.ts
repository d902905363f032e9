// Better Auth answers an empty 500 when its database is gone. The contract
// says that is a 503 (try again) — but only when the database really is down;
// any other 500 stays a 500, without internals in the body.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AuthUnavailable } from '../http/errors.ts'

export async function raiseAuthFailure(
  app: FastifyInstance,
  request: FastifyRequest,
  status: number,
): Promise<never> {
  const databaseUp = await app.database.ping(1000).then(
    () => true,
    () => false,
  )
  request.log.error({ status, databaseUp }, 'better-auth answered with a server error')
  if (!databaseUp) throw new AuthUnavailable()
  throw Object.assign(new Error('Internal Server Error'), { statusCode: 500 })
}
