// What an instance accepts from the revocation channel: another instance's
// well-formed revocation, nothing else. Anyone who can publish on the
// deployment's Redis can only make instances forget sessions (a cache miss,
// then the database decides), never trust one.
import t from 'tap'
import { parseMessage, revocationChannelName } from '../../src/session/revocation-channel.ts'

const SELF = 'instance-a'

const ROWS: [string, string, ReturnType<typeof parseMessage>][] = [
  [
    'a session',
    '{"from":"instance-b","kind":"session","token":"t0k3n"}',
    { kind: 'session', token: 't0k3n' },
  ],
  ['a user', '{"from":"instance-b","kind":"user","userId":"u1"}', { kind: 'user', userId: 'u1' }],
  [
    'our own message (applied before publishing)',
    '{"from":"instance-a","kind":"session","token":"t"}',
    undefined,
  ],
  ['no sender', '{"kind":"session","token":"t"}', undefined],
  ['an unknown kind', '{"from":"b","kind":"everything"}', undefined],
  ['an empty token', '{"from":"b","kind":"session","token":""}', undefined],
  ['a token that is not a string', '{"from":"b","kind":"session","token":{"$ne":null}}', undefined],
  ['a user id that is not a string', '{"from":"b","kind":"user","userId":7}', undefined],
  ['not JSON', 'FLUSHALL', undefined],
  ['JSON null', 'null', undefined],
  ['a JSON string', '"session"', undefined],
]

for (const [name, message, expected] of ROWS) t.same(parseMessage(message, SELF), expected, name)

t.test('one channel per deployment: its public origin', async (t) => {
  t.equal(revocationChannelName('https://gw.example'), 'auth-gateway:revocations:https://gw.example')
  t.not(revocationChannelName('https://a.example'), revocationChannelName('https://b.example'))
})
