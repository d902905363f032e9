// The few HTML documents the gateway renders itself (its pages and error
// pages for browser surfaces). Every interpolated value goes through escapeHtml().

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string)
}

/** Strict by default: no script at all, styles from our origin, no framing. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/** Where the pages' one stylesheet is served (routes/pages). */
export const STYLESHEET_PATH = '/auth/assets/gateway.css'

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}

/** A status page; `commands`, when given, are shown as a shell snippet after the message. */
export function errorPage(statusCode: number, message: string, commands?: string[]): string {
  const snippet =
    commands === undefined ? '' : `\n<pre><code>${commands.map(escapeHtml).join('\n')}</code></pre>`
  return layout(
    `${statusCode}`,
    `<h1>${statusCode}</h1>
<p>${escapeHtml(message)}</p>${snippet}
<p><a href="/">Home</a></p>`,
  )
}
