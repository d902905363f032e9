// Password hashing for Better Auth, in Better Auth's own format (so existing
// hashes keep verifying): scrypt N=16384 r=16 p=1, 64-byte key, hex
// "salt:key", NFKC-normalised password. The hashing itself runs on
// scrypt-pool.ts's low-priority threads, at most `concurrency` at a time:
// a sign-in storm slows sign-ins, not the proxied traffic.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createScryptPool } from './scrypt-pool.ts'

const PARAMS = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 }
const KEY_LENGTH = 64
/** CFS gives a nice-10 thread about a tenth of a core the event loop also wants. */
const HASHING_NICENESS = 10
const IDLE_WORKER_MS = 5_000

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(input: { hash: string; password: string }): Promise<boolean>
}

export function createPasswordHasher(concurrency: number): PasswordHasher {
  const pool = createScryptPool({
    size: concurrency,
    keyLength: KEY_LENGTH,
    params: PARAMS,
    nice: HASHING_NICENESS,
    idleMs: IDLE_WORKER_MS,
  })
  const derive = (password: string, salt: string) => pool.derive(password.normalize('NFKC'), salt)
  return {
    async hash(password) {
      const salt = randomBytes(16).toString('hex')
      return `${salt}:${(await derive(password, salt)).toString('hex')}`
    },
    async verify({ hash, password }) {
      const [salt, key] = hash.split(':')
      if (!salt || !key) return false
      const expected = Buffer.from(key, 'hex')
      const actual = await derive(password, salt)
      return expected.length === actual.length && timingSafeEqual(expected, actual)
    },
  }
}
