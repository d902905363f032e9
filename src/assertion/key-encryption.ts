// Private signing keys rest in the database sealed with BETTER_AUTH_SECRET,
// so a database dump alone cannot mint identities. AES-256-GCM (OpenSSL,
// through node:crypto) under a key derived with HKDF-SHA256. The associated
// data binds it to its row (key-ring.ts: kid, generation, activation, public
// half), so a sealed key moved to another row, or a row altered around it,
// does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const INFO = 'auth-gateway assertion signing key v1'
const IV_BYTES = 12

function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32))
}

/**
 * Seals `plaintext` (a PKCS#8 DER private key), bound to `boundTo` (what
 * must be the same when it is opened). Returns `v1.<iv>.<ciphertext>.<tag>`,
 * each part base64url.
 */
export function sealPrivateKey(secret: string, boundTo: string, plaintext: Buffer): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv)
  cipher.setAAD(Buffer.from(boundTo))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return [VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/**
 * Opens what sealPrivateKey sealed. Throws when the secret differs, the value
 * was altered or `boundTo` is not what it was sealed with (GCM
 * authentication fails), or the format is unknown.
 */
export function openPrivateKey(secret: string, boundTo: string, sealed: string): Buffer {
  const [version, iv, ciphertext, tag, extra] = sealed.split('.')
  if (
    version !== VERSION ||
    iv === undefined ||
    ciphertext === undefined ||
    tag === undefined ||
    extra !== undefined
  )
    throw new Error('unknown sealed key format')
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(boundTo))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()])
}
