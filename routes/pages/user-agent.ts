// Names a session's device for the account page ("Chrome on macOS", "iPhone"),
// so a person can tell their sessions apart and spot one that is not theirs.
// bowser (MIT) does the parsing; ua-parser-js 2.x was ruled out for its AGPL.
import Bowser from 'bowser'

export interface DeviceDescription {
  /** Browser and system, e.g. "Chrome on macOS"; "Unknown device" when nothing is recognised. */
  label: string
  /** The kind or model of device, e.g. "Desktop", "iPhone"; undefined when unknown. */
  kind?: string
}

// A User-Agent is whatever the client sent; parsing only a bounded prefix
// keeps a 16 KiB header from costing regex time on every account page view.
const MAX_PARSED = 512
// An unrecognised client is named by its product token ("curl"), but only
// when it looks like one: the text is the client's, and a session planted
// with the user's password should not get to write a sentence on their page.
const PRODUCT_TOKEN = /^([A-Za-z][A-Za-z0-9._-]{0,31})\//
const GENERIC = 'Mozilla'

/** A description of the device behind `userAgent` (a session's recorded User-Agent). */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  const ua = (userAgent ?? '').trim().slice(0, MAX_PARSED)
  if (ua === '') return { label: 'Unknown device' }
  const { browser, os, platform } = Bowser.parse(ua)
  const kind = platform.model ?? capitalise(platform.type)
  // Every browser's User-Agent starts "Mozilla/5.0": it names nothing.
  if (browser.name && browser.name !== GENERIC) {
    return { label: os.name ? `${browser.name} on ${os.name}` : browser.name, kind }
  }
  if (os.name) return { label: os.name, kind }
  const product = PRODUCT_TOKEN.exec(ua)?.[1]
  if (product === undefined || product === GENERIC) return { label: 'Unknown browser', kind }
  return { label: product, kind }
}

function capitalise(word: string | undefined): string | undefined {
  return word ? word[0]?.toUpperCase() + word.slice(1) : undefined
}
