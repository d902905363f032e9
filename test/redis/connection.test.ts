import t from 'tap'
import { redactedAddress } from '../../src/redis/connection.ts'

t.test('logs name the Redis server, never its password', async (t) => {
  t.equal(redactedAddress('redis://:s3cret@cache.internal:6380/0'), 'cache.internal:6380')
  t.equal(redactedAddress('rediss://user:pw@cache.internal'), 'cache.internal:6379')
  t.equal(redactedAddress('not a url'), 'redis')
})
