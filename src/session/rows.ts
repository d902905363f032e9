// The one query behind a cache miss: the live rows for a batch of session
// tokens, joined to their users, as a prepared statement. Better Auth's own
// internalAdapter.findSessions answers the same question, but it rebuilds the
// query through its adapter and Drizzle's relational builder on every call,
// a large share of a cache miss's CPU (docs/performance.md). The gateway owns this schema (db/schema.ts) and configures
// no secondary storage, so the table is the whole truth, as it is for
// Better Auth.
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { session, user } from '../../db/schema.ts'
import type { FindSessions } from './batch.ts'

export function prepareFindSessions(db: Db): FindSessions {
  const query = db
    .select({
      token: session.token,
      sessionId: session.id,
      userId: user.id,
      email: user.email,
      name: user.name,
      expiresAt: session.expiresAt,
    })
    .from(session)
    .innerJoin(user, eq(session.userId, user.id))
    // One array parameter, so the statement text (and its plan) is the same
    // for every batch size. A disabled user's sessions are no sessions: one
    // that outlived the CLI's deletion (a sign-in racing it) opens nothing.
    .where(and(sql`${session.token} = any(${sql.placeholder('tokens')}::text[])`, isNull(user.disabledAt)))
    .prepare('gateway_find_sessions')
  return (tokens) => query.execute({ tokens })
}
