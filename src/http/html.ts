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

export interface LayoutOptions {
  /**
   * The product name (APP_NAME). With it the title reads "<title> · <brand>"
   * and the brand heads the page; without it (error pages) the bare title.
   */
  brand?: string
  /** A wider card, for pages with lists and several forms (the account page). */
  wide?: boolean
}

/** A whole HTML document around `body` (already escaped markup); `title` and the brand are escaped here. */
export function layout(title: string, body: string, options: LayoutOptions = {}): string {
  const { brand, wide } = options
  const fullTitle = brand === undefined ? title : `${title} · ${brand}`
  const header =
    brand === undefined
      ? ''
      : `<header class="site"><a class="brand" href="/">${escapeHtml(brand)}</a></header>\n`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(fullTitle)}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
${header}<main${wide ? ' class="wide"' : ''}>
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
