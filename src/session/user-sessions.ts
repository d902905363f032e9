// The signed-in user's live sessions, for the account page. Read from the
// table, not from Better Auth's list-sessions: that endpoint answers only for
// a session signed in within a day (its freshAge), because its JSON hands
// every session's token to the caller. Here the tokens stay on the server
// (the page posts session ids, resolved among the user's own rows), so the
// list can be shown to every signed-in user; revoking still goes through
// Better Auth's revoke-session, so its hooks (cache eviction) run.
import { and, asc, eq, gt } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { session } from '../../db/schema.ts'

/** One of a user's sessions: server-side only (it holds the token). */
export interface UserSessionRow {
  id: string
  token: string
  userAgent: string | undefined
  ipAddress: string | undefined
  createdAt: Date
  updatedAt: Date
}

/** `userId`'s sessions that have not expired at `now`, oldest first. Rejects when the database does. */
export async function listUserSessions(db: Db, userId: string, now = new Date()): Promise<UserSessionRow[]> {
  const rows = await db
    .select({
      id: session.id,
      token: session.token,
      userAgent: session.userAgent,
      ipAddress: session.ipAddress,
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
    })
    .from(session)
    .where(and(eq(session.userId, userId), gt(session.expiresAt, now)))
    .orderBy(asc(session.createdAt))
  return rows.map((row) => ({
    ...row,
    userAgent: row.userAgent ?? undefined,
    // Better Auth stores '' when it could not tell the address.
    ipAddress: row.ipAddress === null || row.ipAddress === '' ? undefined : row.ipAddress,
  }))
}
