// The rotation schedule as a table: which key signs, which are published,
// and which key is due, at moments around each boundary.
import t from 'tap'
import {
  isRetired,
  nextKeyDue,
  publishedAt,
  rotationDue,
  signerAt,
} from '../../src/assertion/key-schedule.ts'

const H = 3_600_000
const SCHEDULE = { rotationMs: 24 * H, publishAheadMs: 0.1 * H, retainMs: 0.2 * H, clockSkewMs: 60_000 }
const k1 = { kid: 'k1', generation: 1, activatesAt: 0 }
const k2 = { kid: 'k2', generation: 2, activatesAt: 24 * H }
const k3 = { kid: 'k3', generation: 3, activatesAt: 48 * H }

t.test('signerAt: the newest generation already active', async (t) => {
  const rows = [
    { name: 'no keys', keys: [], now: 0, signer: undefined },
    { name: 'the first key at its activation', keys: [k1], now: 0, signer: 'k1' },
    { name: 'a successor published but not yet active', keys: [k1, k2], now: 23.95 * H, signer: 'k1' },
    { name: 'the successor from its activation on', keys: [k1, k2], now: 24 * H, signer: 'k2' },
    { name: 'order of rows does not matter', keys: [k2, k1], now: 30 * H, signer: 'k2' },
    { name: 'only future keys', keys: [k2], now: 0, signer: undefined },
  ]
  for (const row of rows) t.equal(signerAt(row.keys, row.now)?.kid, row.signer, row.name)
})

t.test('publishedAt / isRetired: a key stays until its successor has been active for retainMs', async (t) => {
  const rows = [
    { name: 'one key', keys: [k1], now: 100 * H, published: ['k1'] },
    { name: 'the successor is published ahead', keys: [k1, k2], now: 23.9 * H, published: ['k2', 'k1'] },
    { name: 'the old key just after the switch', keys: [k1, k2], now: 24.1 * H, published: ['k2', 'k1'] },
    { name: 'the old key at the end of retention', keys: [k1, k2], now: 24.2 * H, published: ['k2'] },
    { name: 'three generations', keys: [k1, k2, k3], now: 48.1 * H, published: ['k3', 'k2'] },
  ]
  for (const row of rows) {
    t.same(
      publishedAt(row.keys, row.now, SCHEDULE.retainMs).map((k) => k.kid),
      row.published,
      row.name,
    )
  }
  t.equal(
    isRetired(k1, [k1, k2], 24.2 * H - 1, SCHEDULE.retainMs),
    false,
    'a millisecond before: still published',
  )
  t.equal(isRetired(k1, [k1, k2], 24.2 * H, SCHEDULE.retainMs), true, 'at the boundary: retired')
})

t.test('nextKeyDue: when the key to create now signs (keys: those this instance can open)', async (t) => {
  const rows = [
    {
      name: 'no keys (first start, or none opens with this secret): one that signs at once, dated back by the clock skew',
      keys: [],
      now: 5 * H,
      due: 5 * H - 60_000,
    },
    {
      name: 'only a future key: nothing signs now, so one at once',
      keys: [k2],
      now: 1 * H,
      due: 1 * H - 60_000,
    },
    { name: 'early in the term: nothing', keys: [k1], now: 12 * H, due: undefined },
    { name: 'just before publish-ahead: nothing', keys: [k1], now: 23.9 * H - 1, due: undefined },
    {
      name: 'at publish-ahead: the successor, signing at the end of the term',
      keys: [k1],
      now: 23.9 * H,
      due: 24 * H,
    },
    { name: 'a successor already scheduled: nothing', keys: [k1, k2], now: 23.95 * H, due: undefined },
    {
      name: 'long after the term (every instance was down): published ahead from now',
      keys: [k1],
      now: 100 * H,
      due: 100.1 * H,
    },
  ]
  for (const row of rows) t.equal(nextKeyDue(row.keys, row.now, SCHEDULE), row.due, row.name)
})

t.test('rotationDue: an operator’s rotation publishes now and signs publishAheadMs later', async (t) => {
  const rows = [
    { name: 'mid-term: a successor signing after the publish-ahead', keys: [k1], now: 5 * H, due: 5.1 * H },
    { name: 'a successor already scheduled is the rotation', keys: [k1, k2], now: 23.95 * H, due: undefined },
    { name: 'after the successor took over: the next one', keys: [k1, k2], now: 30 * H, due: 30.1 * H },
    { name: 'no key signs yet: the first key is nextKeyDue’s', keys: [], now: 0, due: undefined },
    { name: 'only a future key: nothing to rotate from', keys: [k2], now: 0, due: undefined },
  ]
  for (const row of rows) t.equal(rotationDue(row.keys, row.now, SCHEDULE), row.due, row.name)
  // The schedule runs on from the rotated key: its successor is due a term after it activates.
  const rotated = { kid: 'r', generation: 2, activatesAt: 5 * H + SCHEDULE.publishAheadMs }
  t.equal(nextKeyDue([k1, rotated], 6 * H, SCHEDULE), undefined, 'nothing more is due soon after')
  t.equal(
    nextKeyDue([k1, rotated], 29 * H, SCHEDULE),
    rotated.activatesAt + SCHEDULE.rotationMs,
    'the next term ends rotationMs after it',
  )
})
