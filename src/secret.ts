// Outside production the gateway must start with nothing configured, yet a
// secret that changed on every start would sign everyone out on each restart.
// So: generate one once, keep it beside the embedded database, and warn.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const SECRET_FILE = 'better-auth-secret'

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
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (existing !== undefined && existing.trim().length >= 32) {
    return {
      secret: existing.trim(),
      warning: `BETTER_AUTH_SECRET is not set; using the one kept in ${file}`,
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('base64url')
  // 'wx' fails if another process created the file first; then use theirs.
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    },
  )
  const kept = (await readFile(file, 'utf8')).trim()
  return {
    secret: kept,
    warning: `BETTER_AUTH_SECRET is not set; generated one and kept it in ${file} (set it explicitly in production)`,
  }
}
