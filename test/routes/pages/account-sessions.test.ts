// The account page's view of list-sessions: parsed defensively, summarised
// without tokens, and an id resolved only among the user's own sessions.

import { createHmac } from 'node:crypto'
import t from 'tap'
import {
  findOwnSession,
  type OwnSession,
  sessionTokenReader,
  summarise,
} from '../../../routes/pages/account-sessions.ts'
import { SECRET } from '../../helper.ts'

const at = (iso: string) => new Date(iso)

function own(id: string, createdAt: string, updatedAt = createdAt, userAgent?: string): OwnSession {
  return {
    id,
    token: `token-${id}`,
    userAgent,
    ipAddress: undefined,
    createdAt: at(createdAt),
    updatedAt: at(updatedAt),
  }
}

t.test('summarise: this device first, then most recently active; never a token', async (t) => {
  const sessions = [
    own('old', '2026-11-20T08:00:00Z', '2026-11-21T08:00:00Z'),
    own('current', '2026-11-25T08:00:00Z'),
    own('recent', '2026-11-29T08:00:00Z', '2026-11-29T08:00:30Z', 'curl/8'),
  ]
  const summaries = summarise(sessions, 'token-current')
  t.strictSame(
    summaries.map((s) => [s.id, s.current]),
    [
      ['current', true],
      ['recent', false],
      ['old', false],
    ],
  )
  t.equal(summaries[1]?.renewedAt, undefined, 'updatedAt within a minute of createdAt is no renewal')
  t.strictSame(summaries[2]?.renewedAt, at('2026-11-21T08:00:00Z'), 'a later updatedAt is the renewal')
  t.strictSame(summaries[1]?.device, { label: 'curl', kind: undefined })
  t.notMatch(JSON.stringify(summaries), /token-/, 'no token in any summary')
  t.equal(summarise(sessions, undefined).filter((s) => s.current).length, 0, 'no cookie: no "This device"')
})

t.test('findOwnSession resolves only ids among the given sessions', async (t) => {
  const sessions = [own('a', '2026-11-20T08:00:00Z'), own('b', '2026-11-20T08:00:00Z')]
  t.equal(findOwnSession(sessions, 'b')?.token, 'token-b')
  for (const id of ['c', '', 'token-a', undefined, null, 5, ['a'], { id: 'a' }]) {
    t.equal(findOwnSession(sessions, id), undefined, `${JSON.stringify(id)}: none`)
  }
})

t.test('sessionTokenReader: the token of a correctly signed, single session cookie', async (t) => {
  const read = sessionTokenReader('better-auth.session_token', SECRET)
  const sign = (token: string) => createHmac('sha256', SECRET).update(token).digest('base64')
  const value = encodeURIComponent(`abc123.${sign('abc123')}`)
  t.equal(read(`better-auth.session_token=${value}`), 'abc123')
  t.equal(read(`theme=dark; better-auth.session_token=${value}`), 'abc123')
  t.equal(read(undefined), undefined, 'no header')
  t.equal(read('theme=dark'), undefined, 'no session cookie')
  t.equal(
    read(`better-auth.session_token=${encodeURIComponent(`abc123.${sign('other')}`)}`),
    undefined,
    'bad signature',
  )
  t.equal(
    read(`better-auth.session_token=${value}; better-auth.session_token=${value}`),
    undefined,
    'doubled',
  )
})
