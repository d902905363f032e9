// The signing keys as this instance knows them: read from the database,
// private halves opened once with BETTER_AUTH_SECRET, and the JWKS document
// built from the public halves. refresh() also creates the next key when the
// schedule says one is due, so the first instance to start creates the first
// key and whichever instance notices first creates each successor.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { calculateJwkThumbprint } from 'jose'
import type { Db } from '../../db/client.ts'
import { openPrivateKey, sealPrivateKey } from './key-encryption.ts'
import { deleteSigningKeys, insertSigningKey, readSigningKeys, type SigningKeyRow } from './key-rows.ts'
import {
  isRetired,
  type KeySchedule,
  nextKeyDue,
  publishedAt,
  type ScheduledKey,
  signerAt,
} from './key-schedule.ts'

export const ASSERTION_ALG = 'EdDSA' as const

/** One entry of the published JWKS (RFC 7517, with RFC 8037's OKP key type). */
export interface PublishedJwk {
  kty: string
  crv: string
  x: string
  kid: string
  alg: typeof ASSERTION_ALG
  use: 'sig'
}

/** The JWKS as served: its JSON text and a strong ETag over it. */
export interface JwksDocument {
  body: string
  etag: string
  keys: PublishedJwk[]
}

export interface Signer {
  kid: string
  privateKey: KeyObject
}

interface KeyRingLog {
  info(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface KeyRingOptions {
  db: Db
  secret: string
  schedule: KeySchedule
  log: KeyRingLog
  now?: () => number
}

/** A row with its activation as epoch ms, as the schedule reads it. */
type Row = Omit<SigningKeyRow, 'activatesAt'> & ScheduledKey

export class KeyRing {
  readonly #options: KeyRingOptions
  readonly #now: () => number
  #rows: Row[] = []
  /** Opened private keys by kid; null for one that does not open with this secret. */
  readonly #privateKeys = new Map<string, KeyObject | null>()
  #jwks: JwksDocument = jwksDocument([])

  constructor(options: KeyRingOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /**
   * Re-reads the keys, creates the one the schedule says is due, deletes
   * retired ones and rebuilds the JWKS. Throws when the database does; the
   * keys already loaded stay in use.
   */
  async refresh(): Promise<void> {
    const { db, schedule } = this.#options
    let rows = await this.#read()
    const now = this.#now()
    const signer = signerAt(rows, now)
    const unusable = signer !== undefined && this.#privateKeys.get(signer.kid) === null
    const due = nextKeyDue(rows, now, schedule, unusable)
    if (due !== undefined) {
      const kid = await this.#create(due.generation, due.activatesAt)
      if (kid !== undefined) {
        this.#options.log.info(
          { kid, generation: due.generation, activatesAt: new Date(due.activatesAt).toISOString() },
          unusable
            ? 'created a signing key that signs at once: the current one does not open with BETTER_AUTH_SECRET'
            : 'created a signing key',
        )
      }
      rows = await this.#read()
    }
    const retired = rows.filter((row) => isRetired(row, rows, now, schedule.retainMs))
    await deleteSigningKeys(
      db,
      retired.map((row) => row.kid),
    )
    for (const row of retired) this.#privateKeys.delete(row.kid)
    this.#rows = rows.filter((row) => !retired.includes(row))
    this.#jwks = jwksDocument(publishedAt(this.#rows, now, schedule.retainMs))
  }

  /** The key that signs now, or undefined when none is loaded or it does not open. */
  signer(): Signer | undefined {
    const row = signerAt(this.#rows, this.#now())
    const privateKey = row === undefined ? undefined : this.#privateKeys.get(row.kid)
    return row === undefined || privateKey == null ? undefined : { kid: row.kid, privateKey }
  }

  /** The JWKS as of the last refresh. */
  jwks(): JwksDocument {
    return this.#jwks
  }

  async #read(): Promise<Row[]> {
    const rows: Row[] = (await readSigningKeys(this.#options.db)).map((row) => ({
      ...row,
      activatesAt: row.activatesAt.getTime(),
    }))
    for (const row of rows)
      if (!this.#privateKeys.has(row.kid)) this.#privateKeys.set(row.kid, this.#open(row))
    return rows
  }

  #open(row: { kid: string; privateKey: string; publicJwk: { x: string } }): KeyObject | null {
    try {
      const der = openPrivateKey(this.#options.secret, row.kid, row.privateKey)
      const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
      // The published half must be this key's: a row whose public part was
      // swapped would publish one key and sign with another.
      const { x } = createPublicKey(privateKey).export({ format: 'jwk' })
      if (x !== row.publicJwk.x) throw new Error('the public key does not match the private key')
      return privateKey
    } catch (err) {
      this.#options.log.error({ kid: row.kid, err }, 'a signing key does not open with BETTER_AUTH_SECRET')
      return null
    }
  }

  /** Creates a key; returns its kid, or undefined when another instance created that generation first. */
  async #create(generation: number, activatesAt: number): Promise<string | undefined> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const { kty, crv, x } = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string }
    const publicJwk = { kty, crv, x }
    // RFC 7638: the kid is a hash of the key, the same wherever it is computed.
    const kid = await calculateJwkThumbprint(publicJwk)
    const sealed = sealPrivateKey(
      this.#options.secret,
      kid,
      privateKey.export({ format: 'der', type: 'pkcs8' }),
    )
    const created = await insertSigningKey(this.#options.db, {
      kid,
      generation,
      publicJwk,
      privateKey: sealed,
      activatesAt: new Date(activatesAt),
    })
    return created ? kid : undefined
  }
}

function jwksDocument(rows: readonly Pick<Row, 'kid' | 'publicJwk'>[]): JwksDocument {
  const keys = rows.map(({ kid, publicJwk }) => ({
    kty: publicJwk.kty,
    crv: publicJwk.crv,
    x: publicJwk.x,
    kid,
    alg: ASSERTION_ALG,
    use: 'sig' as const,
  }))
  const body = JSON.stringify({ keys })
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, keys }
}
