import { defineConfig } from 'drizzle-kit'

// Migrations are generated from db/schema.ts and committed; start-up and
// `npm run db:migrate` apply them with the driver the gateway itself uses.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
})
