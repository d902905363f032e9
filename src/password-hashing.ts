// Password hashing for Better Auth, in Better Auth's own format (so existing
// hashes keep verifying): scrypt N=16384 r=16 p=1, 64-byte key, hex
// "salt:key", NFKC-normalised password. node:crypto runs scrypt on libuv's
// thread pool, off the event loop; what remains is CPU contention: four 32 MB
// scrypt jobs at once starve the proxy on a small machine. So at most
// `concurrency` hashes run at a time and the rest queue: a sign-in storm
// slows sign-ins, not the proxied traffic.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const PARAMS = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 }
const KEY_LENGTH = 64

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(input: { hash: string; password: string }): Promise<boolean>
}

export function createPasswordHasher(concurrency: number): PasswordHasher {
  const limit = createLimiter(concurrency)
  const derive = (password: string, salt: string) =>
    limit(
      () =>
        new Promise<Buffer>((resolve, reject) =>
          scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, PARAMS, (err, key) =>
            err ? reject(err) : resolve(key),
          ),
        ),
    )
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

/** A minimal FIFO semaphore. */
export function createLimiter(concurrency: number) {
  let active = 0
  const queue: (() => void)[] = []
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    if (active >= concurrency) await new Promise<void>((resolve) => queue.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      queue.shift()?.()
    }
  }
}
