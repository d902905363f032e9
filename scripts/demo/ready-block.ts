// The one block the demo prints when everything answers: where to go, in the
// order a newcomer would, and what runs behind the gateway.

export interface ReadyBlockInput {
  /** The public origin, e.g. http://localhost:3001. */
  origin: string
  /** Seconds from `npm run demo` to now. */
  seconds: number
  docsUrl: string
  /** Undefined when Python with FastAPI is missing and the API did not start. */
  apiUrl: string | undefined
}

export function readyBlock({ origin, seconds, docsUrl, apiUrl }: ReadyBlockInput): string {
  const behind = [`Docusaurus on ${new URL(docsUrl).host}`]
  if (apiUrl !== undefined) behind.push(`FastAPI on ${new URL(apiUrl).host}`)
  // Lines stay within 80 columns for http://localhost:<5 digits>.
  return [
    '',
    `✔ Demo ready in ${Math.round(seconds)} s. Open ${origin}/docs/`,
    '',
    `  sign up   ${origin}/auth/sign-up?returnTo=/docs/`,
    `  docs      ${origin}/docs/`,
    `  private   ${origin}/docs/private/    (signed in only)`,
    apiUrl === undefined
      ? `  API       not started: Python with FastAPI is missing (see above)`
      : `  API       ${origin}/api/me           (FastAPI: who you are)`,
    `  account   ${origin}/auth/account`,
    '',
    '  Behind the gateway, on loopback only:',
    `  ${behind.join(', ')}.`,
    '  Data and logs in .demo/. Ctrl-C stops everything.',
    '',
  ].join('\n')
}
