// LEGACY_SESSION_COOKIES_UNTIL: how long an https deployment that ran before
// the __Host- prefix keeps reading its old __Secure- session cookies
// (http/legacy-cookies.ts). Reading them keeps cookie tossing possible, so
// the window is opt-in and short.

const DAY_MS = 86_400_000
/** Longer than any session lives (7 days) plus slack for a slow rollout. */
export const MAX_LEGACY_WINDOW_DAYS = 30

/**
 * The window's end as epoch ms, or undefined when unset. `raw` is an ISO 8601
 * date or date-time; problems (unparseable, on http, more than
 * MAX_LEGACY_WINDOW_DAYS after `now`) are pushed to `problems`.
 */
export function parseLegacyWindow(
  raw: string | undefined,
  https: boolean,
  now: number,
  problems: string[],
): number | undefined {
  if (raw === undefined) return undefined
  const until = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)
    ? Date.parse(raw)
    : Number.NaN
  if (Number.isNaN(until)) {
    problems.push(`LEGACY_SESSION_COOKIES_UNTIL must be an ISO 8601 date such as 2026-12-31 (got "${raw}")`)
    return undefined
  }
  if (!https) {
    problems.push(
      'LEGACY_SESSION_COOKIES_UNTIL applies only when PUBLIC_URL is https (http has no prefixed cookies)',
    )
    return undefined
  }
  if (until > now + MAX_LEGACY_WINDOW_DAYS * DAY_MS) {
    problems.push(
      `LEGACY_SESSION_COOKIES_UNTIL may be at most ${MAX_LEGACY_WINDOW_DAYS} days ahead: a session lives 7 days, so a longer window only keeps cookie tossing possible`,
    )
    return undefined
  }
  return until
}
