// Mints X-User-Assertion: a JWT (EdDSA) saying which user and session a
// request carries, for a backend to verify offline against the JWKS. The
// idea is Pomerium's X-Pomerium-Jwt-Assertion (and Ory Oathkeeper's id_token
// mutator). One assertion per session is reused until shortly before it
// expires, so the hot path signs nothing: the session cache stores the
// assertion with the identity, and a cache refill finds it here.
import { SignJWT } from 'jose'
import { ASSERTION_ALG, type KeyRing } from './key-ring.ts'

/** Whom an assertion speaks for. `sessionExpiresAt` is epoch ms. */
export interface AssertionSubject {
  /** The session cookie's token: the reuse key, never put in the assertion. */
  sessionToken: string
  sessionId: string
  userId: string
  email: string
  name: string
  sessionExpiresAt: number
}

export interface MintedAssertion {
  jwt: string
  /** Epoch ms after which a new one is minted; callers must not serve this one later. */
  refreshAt: number
}

export interface MinterOptions {
  ring: Pick<KeyRing, 'signer'>
  issuer: string
  audience: string
  lifetimeSeconds: number
  /** Reused assertions held at most; the oldest go first. */
  maxEntries?: number
  now?: () => number
}

export class NoSigningKey extends Error {
  constructor() {
    super('no signing key is usable')
    this.name = 'NoSigningKey'
  }
}

interface Held extends MintedAssertion {
  sessionId: string
  userId: string
  email: string
  name: string
}

/**
 * Reuse ends at 80% of the lifetime: a backend then always receives an
 * assertion with a fifth of its life (a minute of five) left, room for its
 * clock skew and the request's own time in flight.
 */
const REUSE_SHARE = 0.8

export class AssertionMinter {
  readonly #options: MinterOptions
  readonly #now: () => number
  /** Insertion-ordered, so the front holds the oldest. */
  readonly #held = new Map<string, Held>()

  constructor(options: MinterOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /**
   * The assertion for this session: the one minted before when it is still
   * within its reuse window and says exactly the same thing, else a new one.
   * Rejects with NoSigningKey when no key can sign.
   */
  async mint(subject: AssertionSubject): Promise<MintedAssertion> {
    const now = this.#now()
    const held = this.#held.get(subject.sessionToken)
    if (held !== undefined && held.refreshAt > now && sameSubject(held, subject)) return held
    const signer = this.#options.ring.signer()
    if (signer === undefined) throw new NoSigningKey()
    const { issuer, audience, lifetimeSeconds } = this.#options
    const iat = Math.floor(now / 1000)
    // Never outlive the session it speaks for.
    const exp = Math.min(iat + lifetimeSeconds, Math.floor(subject.sessionExpiresAt / 1000))
    const jwt = await new SignJWT({ email: subject.email, name: subject.name, sid: subject.sessionId })
      .setProtectedHeader({ alg: ASSERTION_ALG, kid: signer.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(subject.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(signer.privateKey)
    const minted: Held = {
      jwt,
      refreshAt: Math.min(iat * 1000 + lifetimeSeconds * 1000 * REUSE_SHARE, exp * 1000),
      sessionId: subject.sessionId,
      userId: subject.userId,
      email: subject.email,
      name: subject.name,
    }
    this.#hold(subject.sessionToken, minted, now)
    return { jwt: minted.jwt, refreshAt: minted.refreshAt }
  }

  /** Forgets a session's assertion (it was signed out or revoked). */
  forget(sessionToken: string): void {
    this.#held.delete(sessionToken)
  }

  get size(): number {
    return this.#held.size
  }

  #hold(token: string, minted: Held, now: number): void {
    this.#held.delete(token)
    // Drop the stale ones at the front, then make room.
    for (const [key, entry] of this.#held) {
      if (entry.refreshAt > now) break
      this.#held.delete(key)
    }
    const maxEntries = this.#options.maxEntries ?? 50_000
    while (this.#held.size >= maxEntries) this.#held.delete(this.#held.keys().next().value as string)
    this.#held.set(token, minted)
  }
}

/** Reused only while every claim would be the same: a renamed user gets a new assertion at once. */
function sameSubject(held: Held, subject: AssertionSubject): boolean {
  return (
    held.sessionId === subject.sessionId &&
    held.userId === subject.userId &&
    held.email === subject.email &&
    held.name === subject.name
  )
}
