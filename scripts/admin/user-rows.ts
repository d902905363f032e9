// The admin CLI's reads and writes of users and sessions, straight on the
// gateway's tables (db/schema.ts). Creating a user is not here: it goes
// through Better Auth (users-create.ts) so hashing and validation match.
import { and, asc, count, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { session, user } from '../../db/schema.ts'

/** A user as the CLI shows it; times are ISO 8601 strings (UTC), null when unset. */
export interface UserView {
  id: string
  email: string
  name: string
  emailVerified: boolean
  createdAt: string
  disabledAt: string | null
  disabledReason: string | null
  /** Sessions that have not expired. */
  liveSessions: number
}

const columns = {
  id: user.id,
  email: user.email,
  name: user.name,
  emailVerified: user.emailVerified,
  createdAt: user.createdAt,
  disabledAt: user.disabledAt,
  disabledReason: user.disabledReason,
}

interface UserRow {
  id: string
  email: string
  name: string
  emailVerified: boolean
  createdAt: Date
  disabledAt: Date | null
  disabledReason: string | null
}

/** `ref` is an email when it holds an "@" (matched without regard to case), a user id otherwise. */
function matches(ref: string) {
  return ref.includes('@') ? sql`lower(${user.email}) = ${ref.toLowerCase()}` : eq(user.id, ref)
}

/** Live session counts of `ids`, by user id. */
async function liveSessionCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ userId: session.userId, n: count() })
    .from(session)
    .where(and(inArray(session.userId, ids), gt(session.expiresAt, new Date())))
    .groupBy(session.userId)
  return new Map(rows.map((row) => [row.userId, Number(row.n)]))
}

function view(row: UserRow, liveSessions: number): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    emailVerified: row.emailVerified,
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt?.toISOString() ?? null,
    disabledReason: row.disabledReason ?? null,
    liveSessions,
  }
}

/** Up to `limit` users, oldest first; only disabled ones with `disabledOnly`. */
export async function listUsers(
  db: Db,
  { limit, disabledOnly }: { limit: number; disabledOnly: boolean },
): Promise<UserView[]> {
  const rows = await db
    .select(columns)
    .from(user)
    .where(disabledOnly ? isNotNull(user.disabledAt) : undefined)
    .orderBy(asc(user.createdAt), asc(user.id))
    .limit(limit)
  const counts = await liveSessionCounts(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => view(row, counts.get(row.id) ?? 0))
}

/** The user whose email or id is `ref`, or undefined. */
export async function findUser(db: Db, ref: string): Promise<UserView | undefined> {
  const [row] = await db.select(columns).from(user).where(matches(ref)).limit(1)
  if (row === undefined) return undefined
  return view(row, (await liveSessionCounts(db, [row.id])).get(row.id) ?? 0)
}

/**
 * Disables (`disabled: true`, keeping the first disabledAt and replacing the
 * reason when one is given) or enables the user `ref`, and on disabling
 * deletes all their sessions, in one transaction. Resolves to the user
 * after the change and the number of sessions deleted; undefined when no
 * user matches.
 */
export async function setDisabled(
  db: Db,
  ref: string,
  change: { disabled: true; reason: string | undefined } | { disabled: false },
): Promise<{ user: UserView; sessionsDeleted: number } | undefined> {
  const result = await db.transaction(async (tx) => {
    const values = change.disabled
      ? {
          disabledAt: sql`coalesce(${user.disabledAt}, now())`,
          ...(change.reason === undefined ? {} : { disabledReason: change.reason }),
        }
      : { disabledAt: null, disabledReason: null }
    const [row] = await tx.update(user).set(values).where(matches(ref)).returning(columns)
    if (row === undefined) return undefined
    const deleted = change.disabled
      ? await tx.delete(session).where(eq(session.userId, row.id)).returning({ id: session.id })
      : []
    return { row, sessionsDeleted: deleted.length }
  })
  if (result === undefined) return undefined
  return { user: view(result.row, 0), sessionsDeleted: result.sessionsDeleted }
}

/** Deletes every session of the user `ref`; the user and the count, or undefined when no user matches. */
export async function deleteSessions(
  db: Db,
  ref: string,
): Promise<{ user: UserView; sessionsDeleted: number } | undefined> {
  const found = await findUser(db, ref)
  if (found === undefined) return undefined
  const deleted = await db.delete(session).where(eq(session.userId, found.id)).returning({ id: session.id })
  return { user: { ...found, liveSessions: 0 }, sessionsDeleted: deleted.length }
}

/** Deletes one session by its token (the session Better Auth's sign-up opens for a user the CLI creates). */
export async function deleteSessionByToken(db: Db, token: string): Promise<void> {
  await db.delete(session).where(eq(session.token, token))
}
