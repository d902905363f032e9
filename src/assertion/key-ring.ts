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
  rotationDue,
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

/** The successor an operator's rotation leaves scheduled; `activatesAt` in epoch ms. */
export interface Rotation {
  kid: string
  generation: number
  activatesAt: number
  /** False when a successor was already scheduled (by the schedule, or an earlier rotation). */
  created: boolean
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

/** A row this instance can sign with: it opened, and nothing in it was altered. */
type UsableRow = Row & { opened: KeyObject }

interface Opened {
  /** The row as it was when opened: any change to it means opening it again. */
  fingerprint: string
  key: KeyObject | null
}

export class KeyRing {
  readonly #options: KeyRingOptions
  readonly #now: () => number
  /** Only keys that open with this secret: nothing else signs or is published. */
  #usable: UsableRow[] = []
  readonly #opened = new Map<string, Opened>()
  #jwks: JwksDocument = jwksDocument([])

  constructor(options: KeyRingOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /**
   * Re-reads the keys, creates the one the schedule says is due, deletes
   * retired ones and rebuilds the JWKS. Throws when the database does; the
   * keys already loaded stay in use.
   *
   * A row that does not open with BETTER_AUTH_SECRET is ignored: not signed
   * with, not published, not counted by the schedule (only its generation
   * number is skipped). That covers a row planted or altered by someone who
   * can write to the table but lacks the secret (the public half, generation
   * and activation are sealed with the private key), and, during a rolling
   * change of the secret, the other side's keys: each side signs with and
   * publishes its own, and neither keeps creating keys.
   */
  async refresh(): Promise<void> {
    const { db, schedule } = this.#options
    let { rows, usable } = await this.#read()
    const now = this.#now()
    const activatesAt = nextKeyDue(usable, now, schedule)
    if (activatesAt !== undefined) {
      const generation = nextGeneration(rows)
      const kid = await this.#create(generation, activatesAt)
      if (kid !== undefined) {
        const unusable = rows.length > usable.length
        this.#options.log.info(
          { kid, generation, activatesAt: new Date(activatesAt).toISOString() },
          usable.length === 0 && unusable
            ? 'created a signing key that signs at once: no key in the table opens with BETTER_AUTH_SECRET'
            : 'created a signing key',
        )
      }
      ;({ rows, usable } = await this.#read())
    }
    const retired = usable.filter((row) => isRetired(row, usable, now, schedule.retainMs))
    await deleteSigningKeys(
      db,
      retired.map((row) => row.kid),
    )
    this.#usable = usable.filter((row) => !retired.includes(row))
    this.#jwks = jwksDocument(publishedAt(this.#usable, now, schedule.retainMs))
  }

  /**
   * Rotates now instead of at the end of the current key's term: after a
   * refresh, creates a successor that is published at once (each instance
   * reloads within its reload interval) and signs `publishAheadMs` later,
   * as a scheduled successor would (key-schedule.ts rotationDue). A
   * successor already scheduled is the rotation: it is returned, not
   * doubled. Throws when the database does, or when no key opens with
   * BETTER_AUTH_SECRET after the refresh.
   */
  async rotate(): Promise<Rotation> {
    await this.refresh()
    const now = this.#now()
    const activatesAt = rotationDue(this.#usable, now, this.#options.schedule)
    if (activatesAt !== undefined) {
      const { rows } = await this.#read()
      const generation = nextGeneration(rows)
      const kid = await this.#create(generation, activatesAt)
      await this.refresh()
      if (kid !== undefined) {
        this.#options.log.info(
          { kid, generation, activatesAt: new Date(activatesAt).toISOString() },
          'created a signing key: rotation asked for',
        )
        return { kid, generation, activatesAt, created: true }
      }
      // Another instance created that generation first: it is the successor.
    }
    const pending = this.#usable
      .filter((row) => row.activatesAt > now)
      .sort((a, b) => b.generation - a.generation)[0]
    if (pending === undefined) throw new Error('no signing key opens with BETTER_AUTH_SECRET')
    const { kid, generation } = pending
    return { kid, generation, activatesAt: pending.activatesAt, created: false }
  }

  /** The key that signs now, or undefined when none is loaded. */
  signer(): Signer | undefined {
    const row = signerAt(this.#usable, this.#now())
    return row === undefined ? undefined : { kid: row.kid, privateKey: row.opened }
  }

  /** The JWKS as of the last refresh. */
  jwks(): JwksDocument {
    return this.#jwks
  }

  /** Every row, and those that open; a row is opened again whenever anything in it changed. */
  async #read(): Promise<{ rows: Row[]; usable: UsableRow[] }> {
    const rows: Row[] = (await readSigningKeys(this.#options.db)).map((row) => ({
      ...row,
      activatesAt: row.activatesAt.getTime(),
    }))
    const usable: UsableRow[] = []
    for (const row of rows) {
      const fingerprint = `${rowBinding(row)}\n${row.privateKey}`
      let opened = this.#opened.get(row.kid)
      if (opened?.fingerprint !== fingerprint) {
        opened = { fingerprint, key: this.#open(row) }
        this.#opened.set(row.kid, opened)
      }
      if (opened.key !== null) usable.push({ ...row, opened: opened.key })
    }
    for (const kid of this.#opened.keys()) if (!rows.some((row) => row.kid === kid)) this.#opened.delete(kid)
    return { rows, usable }
  }

  #open(row: Row): KeyObject | null {
    try {
      const der = openPrivateKey(this.#options.secret, rowBinding(row), row.privateKey)
      const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
      // Bound by the seal already; checked again so a key can never sign
      // under a public half it does not own.
      const { x } = createPublicKey(privateKey).export({ format: 'jwk' })
      if (x !== row.publicJwk.x) throw new Error('the public key does not match the private key')
      return privateKey
    } catch (err) {
      this.#options.log.error(
        { kid: row.kid, err },
        'a signing key does not open with BETTER_AUTH_SECRET (or its row was altered); it is ignored',
      )
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
      rowBinding({ kid, generation, activatesAt, publicJwk }),
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

/** Past every generation in the table, usable or not, so an unusable row cannot block the insert. */
function nextGeneration(rows: readonly Pick<Row, 'generation'>[]): number {
  return rows.reduce((highest, row) => Math.max(highest, row.generation), 0) + 1
}

/**
 * What the seal binds a private key to: everything else in its row that
 * decides what is published and when it signs. Changing any of it makes the
 * key fail to open.
 */
function rowBinding(row: Pick<Row, 'kid' | 'generation' | 'activatesAt' | 'publicJwk'>): string {
  return JSON.stringify([
    row.kid,
    row.generation,
    row.activatesAt,
    row.publicJwk.kty,
    row.publicJwk.crv,
    row.publicJwk.x,
  ])
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
