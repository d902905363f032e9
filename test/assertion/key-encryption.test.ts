// Sealed private keys open only with the same secret, for the same kid, unaltered.
import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { openPrivateKey, sealPrivateKey } from '../../src/assertion/key-encryption.ts'

const SECRET = 'a-secret-of-at-least-32-characters-long'
const der = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' })

t.test('round trip, and a fresh IV every time', async (t) => {
  const sealed = sealPrivateKey(SECRET, 'kid-1', der)
  t.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/, 'versioned, four base64url parts')
  t.notOk(sealed.includes(der.toString('base64url')), 'the key is not readable in the sealed form')
  t.same(openPrivateKey(SECRET, 'kid-1', sealed), der)
  t.not(sealPrivateKey(SECRET, 'kid-1', der), sealed, 'sealing twice gives different ciphertexts')
})

t.test('every way a sealed key must fail to open', async (t) => {
  const sealed = sealPrivateKey(SECRET, 'kid-1', der)
  const [version, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string]
  const flip = (part: string) => {
    const bytes = Buffer.from(part, 'base64url')
    bytes[0] = (bytes[0] as number) ^ 1
    return bytes.toString('base64url')
  }
  const rows: { name: string; secret: string; kid: string; sealed: string }[] = [
    { name: 'another secret (BETTER_AUTH_SECRET changed)', secret: `${SECRET}x`, kid: 'kid-1', sealed },
    { name: 'moved to another row (kid is the associated data)', secret: SECRET, kid: 'kid-2', sealed },
    {
      name: 'ciphertext altered',
      secret: SECRET,
      kid: 'kid-1',
      sealed: [version, iv, flip(ciphertext), tag].join('.'),
    },
    {
      name: 'tag altered',
      secret: SECRET,
      kid: 'kid-1',
      sealed: [version, iv, ciphertext, flip(tag)].join('.'),
    },
    {
      name: 'IV altered',
      secret: SECRET,
      kid: 'kid-1',
      sealed: [version, flip(iv), ciphertext, tag].join('.'),
    },
    { name: 'unknown version', secret: SECRET, kid: 'kid-1', sealed: ['v9', iv, ciphertext, tag].join('.') },
    { name: 'a part missing', secret: SECRET, kid: 'kid-1', sealed: [version, iv, ciphertext].join('.') },
    { name: 'a part too many', secret: SECRET, kid: 'kid-1', sealed: `${sealed}.x` },
    { name: 'plain text', secret: SECRET, kid: 'kid-1', sealed: der.toString('base64') },
  ]
  for (const row of rows) t.throws(() => openPrivateKey(row.secret, row.kid, row.sealed), row.name)
})
