// Decides whether the direct peer is a proxy we believe, with the same
// semantics as Fastify's `trustProxy` (which uses proxy-addr the same way), so
// the X-Forwarded-For we pass on agrees with `request.ip`.
import proxyAddr from 'proxy-addr'

/** TRUST_PROXY's forms, as Fastify's trustProxy accepts them: all, none, a hop count, or addresses/CIDRs. */
export type TrustProxy = boolean | number | string[]

/** Whether the peer at `address`, `hop` steps from the gateway (0 = the direct peer), is a trusted proxy. */
export type TrustFn = (address: string, hop: number) => boolean

export function compileTrust(trust: TrustProxy): TrustFn {
  if (trust === true) return () => true
  if (trust === false) return () => false
  if (typeof trust === 'number') return (_address, hop) => hop < trust
  return proxyAddr.compile(trust)
}
