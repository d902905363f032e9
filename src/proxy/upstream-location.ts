// A backend builds absolute redirects from the Host it received, which is its
// own address (the gateway sends the upstream's Host, see docs/architecture.md, "Host and Location").
// Followed as is, such a Location sends the browser past the gateway to an
// internal address. Like nginx's `proxy_redirect default`, an absolute URL on
// the upstream's own host and port is moved onto PUBLIC_URL; relative URLs and
// every other host pass untouched.

// scheme:// or protocol-relative //, then the authority; the rest is kept as
// sent (no re-encoding or dot-segment removal by a URL parser).
const ABSOLUTE = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#\\]*/

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' }

function authority(url: URL): string {
  return `${url.hostname}:${url.port === '' ? DEFAULT_PORTS[url.protocol] : url.port}`
}

/**
 * Returns `(value) => value'` for Location and Content-Location headers.
 * - `upstream`: the upstream's origin, e.g. `http://127.0.0.1:8000`;
 * - `publicUrl`: PUBLIC_URL, an origin without trailing slash.
 * The match is on host and port, whatever the scheme: an upstream behind
 * `--proxy-headers` answers `https://127.0.0.1:8000/…` when told the public
 * scheme, and that is still its own address. Never throws.
 */
export function createLocationRewriter(upstream: string, publicUrl: string): (value: string) => string {
  const upstreamUrl = new URL(upstream)
  const own = authority(upstreamUrl)
  const scheme = upstreamUrl.protocol
  return (value) => {
    const match = ABSOLUTE.exec(value)
    if (match === null) return value
    let target: URL
    try {
      // A protocol-relative value takes the scheme the browser would give it;
      // only the authority matters here.
      target = new URL(match[0].startsWith('//') ? `${scheme}${match[0]}` : match[0])
    } catch {
      return value
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return value
    if (authority(target) !== own) return value
    const rest = value.slice(match[0].length)
    return `${publicUrl}${rest === '' || rest.startsWith('/') ? rest : `/${rest}`}`
  }
}
