// The signing keys' table (db/schema.ts, gateway_signing_key): read all, add
// one, drop retired ones. Creating a generation that another instance has
// just created is a no-op, so instances may race to rotate.
import { inArray } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { signingKey } from '../../db/schema.ts'

export type SigningKeyRow = typeof signingKey.$inferSelect

export async function readSigningKeys(db: Db): Promise<SigningKeyRow[]> {
  return db.select().from(signingKey)
}

/** Inserts the row unless its generation exists; true when this call created it. */
export async function insertSigningKey(db: Db, row: Omit<SigningKeyRow, 'createdAt'>): Promise<boolean> {
  const inserted = await db
    .insert(signingKey)
    .values(row)
    .onConflictDoNothing()
    .returning({ kid: signingKey.kid })
  return inserted.length > 0
}

export async function deleteSigningKeys(db: Db, kids: string[]): Promise<void> {
  if (kids.length > 0) await db.delete(signingKey).where(inArray(signingKey.kid, kids))
}
