// Outside production the gateway must start with nothing configured, yet a
// secret that changed on every start would sign everyone out on each restart.
// So: generate one once, keep it beside the embedded database, and warn.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createExclusively } from './exclusive-file.ts'

const SECRET_FILE = 'better-auth-secret'
/** Shortest BETTER_AUTH_SECRET accepted, in characters; the generated one is 32 random bytes. */
export const MIN_SECRET_LENGTH = 32

export interface ResolvedSecret {
  secret: string
  /** Set when the secret came from (or was written to) DATA_DIR; start-up logs it. */
  warning: string | undefined
}

export async function resolveSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<ResolvedSecret> {
  if (configured !== undefined) return { secret: configured, warning: undefined }
  const file = join(dataDir, SECRET_FILE)
  let created = false
  let secret = await readSecret(file)
  if (secret === undefined) {
    created = await createSecret(dataDir, file)
    secret = await readSecret(file)
  }
  // An empty or short file is never used: Better Auth would fall back to its
  // public default secret on an empty one. The operator decides what to do.
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `${file} holds fewer than ${MIN_SECRET_LENGTH} characters; delete it to regenerate, or set BETTER_AUTH_SECRET`,
    )
  }
  const warning = created
    ? `BETTER_AUTH_SECRET is not set; generated one and kept it in ${file} (set it explicitly in production)`
    : `BETTER_AUTH_SECRET is not set; using the one kept in ${file}`
  return { secret, warning }
}

async function readSecret(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Writes the whole secret to a private temporary file, then link()s it into
 * place: link fails if the name exists, so two processes starting together
 * agree on one secret, and nobody ever reads a half-written file.
 */
async function createSecret(dataDir: string, file: string): Promise<boolean> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  return createExclusively(file, `${randomBytes(32).toString('base64url')}\n`)
}
