// Seeds many users and sessions straight into the database before the gateway
// starts (signing up 10,000 users through scrypt would take minutes), and
// returns their cookies signed exactly as Better Auth signs them.
import { createHmac, randomBytes } from 'node:crypto'
import { openDatabase } from '../db/client.ts'
import { session, user } from '../db/schema.ts'
import type { Config } from '../src/config/config.ts'

export async function seedSessions(
  database: Config['database'],
  dataDir: string,
  secret: string,
  count: number,
): Promise<string[]> {
  const db = await openDatabase({ database, dataDir })
  try {
    await db.migrate()
    const cookies: string[] = []
    const now = new Date()
    const expires = new Date(now.getTime() + 7 * 24 * 3600 * 1000)
    for (let start = 0; start < count; start += 1000) {
      const users = []
      const sessions = []
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const id = `bench-user-${i}-${randomBytes(4).toString('hex')}`
        const token = randomBytes(24).toString('base64url')
        users.push({
          id,
          name: `Bench User ${i}`,
          email: `${id}@bench.example`,
          createdAt: now,
          updatedAt: now,
        })
        sessions.push({
          id: `s-${id}`,
          token,
          userId: id,
          expiresAt: expires,
          createdAt: now,
          updatedAt: now,
        })
        const signature = createHmac('sha256', secret).update(token).digest('base64')
        cookies.push(`better-auth.session_token=${encodeURIComponent(`${token}.${signature}`)}`)
      }
      await db.db.insert(user).values(users)
      await db.db.insert(session).values(sessions)
    }
    return cookies
  } finally {
    await db.close()
  }
}
