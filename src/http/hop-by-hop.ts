// Hop-by-hop headers describe the client's connection to us, not ours to the
// upstream (RFC 9110 §7.6.1); undici also rejects a forwarded Keep-Alive.
// The one list: the proxy and the in-process call to Better Auth both use it.

/** Lower-case header names that describe one connection and never cross the gateway. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // Connection-specific to an h2c upgrade (RFC 7540 §3.2.1), which is never passed on.
  'http2-settings',
  // The gateway answers the client's expectation itself (expect-continue.ts);
  // undici refuses a forwarded Expect and would fail the request.
  'expect',
])
