import t from 'tap'
import { statusText } from '../../src/http/error-handler.ts'

t.test("reason phrases come from Node's table, with nginx's 499 added", async (t) => {
  t.equal(statusText(413), 'Payload Too Large')
  t.equal(statusText(429), 'Too Many Requests')
  t.equal(statusText(503), 'Service Unavailable')
  t.equal(statusText(499), 'Client Closed Request', "nginx's client-closed status, absent from Node's table")
  t.equal(statusText(599), 'Error', 'an unknown status gets a neutral phrase')
})
