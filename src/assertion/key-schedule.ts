// When each signing key is published, signs, and retires: pure functions of
// the key rows and the clock, so every instance reading the same rows agrees
// without talking to the others. The shape is the usual one for a JWKS
// (Pomerium, Ory Hydra, Google's certs endpoint): publish a key before it
// signs, keep publishing it after it stops until nothing it signed is valid.

/** What the schedule needs of a key row. Times are epoch ms. */
export interface ScheduledKey {
  kid: string
  generation: number
  activatesAt: number
}

export interface KeySchedule {
  /** How long one key signs before its successor takes over. */
  rotationMs: number
  /**
   * How long before it signs a new key is published: every instance must have
   * reloaded the rows, and a verifier honouring the JWKS's max-age must have
   * refetched, before the first assertion carries the new kid.
   */
  publishAheadMs: number
  /**
   * How long after its successor activates a key stays published: the
   * assertion lifetime (the last one it signed lives that long) plus a margin
   * for clock skew and verifier leeway.
   */
  retainMs: number
  /**
   * How far instances' clocks may disagree. A key meant to sign at once is
   * dated this far back, so an instance whose clock runs behind the creator's
   * finds it already active instead of having nothing to sign with.
   */
  clockSkewMs: number
}

/** The key that signs at `now`: the newest generation already active. */
export function signerAt<K extends ScheduledKey>(keys: readonly K[], now: number): K | undefined {
  let signer: K | undefined
  for (const key of keys) {
    if (key.activatesAt <= now && (signer === undefined || key.generation > signer.generation)) signer = key
  }
  return signer
}

/** True once a newer key has been active for `retainMs`: nothing this key signed is still valid. */
export function isRetired(
  key: ScheduledKey,
  keys: readonly ScheduledKey[],
  now: number,
  retainMs: number,
): boolean {
  return keys.some((other) => other.generation > key.generation && other.activatesAt + retainMs <= now)
}

/** The keys a JWKS lists at `now`: every key not retired, scheduled ones included. */
export function publishedAt<K extends ScheduledKey>(keys: readonly K[], now: number, retainMs: number): K[] {
  return keys
    .filter((key) => !isRetired(key, keys, now, retainMs))
    .sort((a, b) => b.generation - a.generation)
}

/**
 * When the key to create now should start signing, or undefined when none is
 * due. `keys` are the keys this instance can sign with. None of them active
 * (the first start, or none opens with this secret): one that signs at once,
 * dated back by the clock skew so an instance whose clock runs behind finds
 * it active too. Otherwise a successor once the newest key is within
 * `publishAheadMs` of the end of its term, unless one is already scheduled.
 */
export function nextKeyDue(
  keys: readonly ScheduledKey[],
  now: number,
  schedule: KeySchedule,
): number | undefined {
  if (signerAt(keys, now) === undefined) return now - schedule.clockSkewMs
  let latest = keys[0] as ScheduledKey
  for (const key of keys) if (key.generation > latest.generation) latest = key
  if (latest.activatesAt > now) return undefined
  const termEnds = latest.activatesAt + schedule.rotationMs
  if (now < termEnds - schedule.publishAheadMs) return undefined
  return Math.max(termEnds, now + schedule.publishAheadMs)
}

/**
 * When a successor created now by an operator's rotation (`npm run admin --
 * keys rotate`) should start signing: `publishAheadMs` from now, so every
 * instance and verifier has it before its first assertion, as for a
 * scheduled one. Undefined when a successor is already scheduled (it is the
 * rotation) or no key signs yet (nextKeyDue makes the first key instead).
 * The schedule then runs on from the successor's activation.
 */
export function rotationDue(
  keys: readonly ScheduledKey[],
  now: number,
  schedule: Pick<KeySchedule, 'publishAheadMs'>,
): number | undefined {
  if (signerAt(keys, now) === undefined) return undefined
  if (keys.some((key) => key.activatesAt > now)) return undefined
  return now + schedule.publishAheadMs
}
