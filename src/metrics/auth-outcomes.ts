// Sign-ins and sign-ups by outcome, and password requests turned away by a
// limit. Counted once per call into Better Auth (auth/guards/outcomes.ts
// decides the outcome); read by prom-client at scrape time.

/** Label values of `outcome`, in slot order. */
export const OUTCOMES = ['success', 'bad_credentials', 'throttled', 'refused', 'rejected', 'error'] as const
export type Outcome = (typeof OUTCOMES)[number]

export class AuthOutcomes {
  readonly signIns = new Float64Array(OUTCOMES.length)
  readonly signUps = new Float64Array(OUTCOMES.length)
  /** Password requests (any hashing endpoint) answered 429 by a limit. */
  passwordThrottled = 0

  signIn(outcome: Outcome): void {
    const i = OUTCOMES.indexOf(outcome)
    this.signIns[i] = (this.signIns[i] as number) + 1
  }

  signUp(outcome: Outcome): void {
    const i = OUTCOMES.indexOf(outcome)
    this.signUps[i] = (this.signUps[i] as number) + 1
  }

  /**
   * `counts` (signIns or signUps) as labelled samples, zeros included, so
   * every outcome is always exposed; `bad_credentials` only for sign-ins
   * (a sign-up has no password to get wrong).
   */
  static samples(counts: Float64Array, signIns: boolean): { labels: { outcome: Outcome }; value: number }[] {
    return OUTCOMES.flatMap((outcome, i) =>
      outcome === 'bad_credentials' && !signIns ? [] : [{ labels: { outcome }, value: counts[i] as number }],
    )
  }
}
