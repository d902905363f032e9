// Decides whether the direct peer is a proxy we believe, with the same
// semantics as Fastify's `trustProxy` (which uses proxy-addr the same way), so
// the X-Forwarded-For we pass on agrees with `request.ip`.
import proxyAddr from 'proxy-addr'
import type { TrustProxy } from '../config/config.ts'

export type TrustFn = (address: string, hop: number) => boolean

export function compileTrust(trust: TrustProxy): TrustFn {
  if (trust === true) return () => true
  if (trust === false) return () => false
  if (typeof trust === 'number') return (_address, hop) => hop < trust
  return proxyAddr.compile(trust)
}
