// Better Auth's core tables, written by hand from its documented schema (its
// CLI needs Node 22). Column names are snake_case, as Better Auth's own Drizzle
// generator emits them; the adapter maps by the camelCase property names.
// Timestamps carry a time zone so a server in another zone cannot shift expiry.
import { relations } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

const tz = { withTimezone: true } as const

export const user = pgTable('user', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').default(false).notNull(),
  image: text('image'),
  createdAt: timestamp('created_at', tz).defaultNow().notNull(),
  updatedAt: timestamp('updated_at', tz)
    .defaultNow()
    .$onUpdate(() => new Date())
    .notNull(),
  /**
   * Set by `npm run admin -- users disable`: the user cannot sign in, and the
   * session lookup (src/session/rows.ts) refuses their sessions. Null: enabled.
   */
  disabledAt: timestamp('disabled_at', tz),
  /** Why, as the operator wrote it; shown by the admin CLI only. */
  disabledReason: text('disabled_reason'),
})

export const session = pgTable(
  'session',
  {
    id: text('id').primaryKey(),
    expiresAt: timestamp('expires_at', tz).notNull(),
    // Unique: the token is the lookup key on every authenticated request.
    token: text('token').notNull().unique(),
    createdAt: timestamp('created_at', tz).defaultNow().notNull(),
    updatedAt: timestamp('updated_at', tz)
      .$onUpdate(() => new Date())
      .notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
  },
  (table) => [index('session_userId_idx').on(table.userId)],
)

export const account = pgTable(
  'account',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', tz),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', tz),
    scope: text('scope'),
    // scrypt hash for the email + password provider; never leaves the database.
    password: text('password'),
    createdAt: timestamp('created_at', tz).defaultNow().notNull(),
    updatedAt: timestamp('updated_at', tz)
      .$onUpdate(() => new Date())
      .notNull(),
  },
  (table) => [index('account_userId_idx').on(table.userId)],
)

export const verification = pgTable(
  'verification',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: timestamp('expires_at', tz).notNull(),
    createdAt: timestamp('created_at', tz).defaultNow().notNull(),
    updatedAt: timestamp('updated_at', tz)
      .defaultNow()
      .$onUpdate(() => new Date())
      .notNull(),
  },
  (table) => [index('verification_identifier_idx').on(table.identifier)],
)

// The gateway's own table: the Ed25519 keys that sign X-User-Assertion
// (src/assertion/). One row per generation; the unique generation makes
// creating the next key idempotent when several instances race to do it.
export const signingKey = pgTable('gateway_signing_key', {
  /** RFC 7638 thumbprint of the public key: stable, and the same on every instance. */
  kid: text('kid').primaryKey(),
  generation: integer('generation').notNull().unique(),
  /** The public JWK (kty, crv, x): what /.well-known/jwks.json publishes. */
  publicJwk: jsonb('public_jwk').$type<{ kty: string; crv: string; x: string }>().notNull(),
  /** PKCS#8, AES-256-GCM under a key derived from BETTER_AUTH_SECRET (assertion/key-encryption.ts). */
  privateKey: text('private_key').notNull(),
  createdAt: timestamp('created_at', tz).defaultNow().notNull(),
  /** From this moment the key signs; before it, it is only published. */
  activatesAt: timestamp('activates_at', tz).notNull(),
})

export const userRelations = relations(user, ({ many }) => ({
  sessions: many(session),
  accounts: many(account),
}))
export const sessionRelations = relations(session, ({ one }) => ({
  user: one(user, { fields: [session.userId], references: [user.id] }),
}))
export const accountRelations = relations(account, ({ one }) => ({
  user: one(user, { fields: [account.userId], references: [user.id] }),
}))
