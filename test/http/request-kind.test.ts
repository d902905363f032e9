import t from 'tap'
import { isNavigation } from '../../src/http/request-kind.ts'
import { CLIENT_REQUESTS } from '../fixtures/browser-requests.ts'

t.test('navigation or not, for real clients’ header sets', async (t) => {
  for (const row of CLIENT_REQUESTS) {
    t.equal(isNavigation(row.method, row.headers), row.navigation, row.name)
  }
})

t.test('Fetch Metadata wins over Accept; odd values are not navigations', async (t) => {
  const rows: [string, string, Record<string, string>, boolean][] = [
    ['navigate with Accept */*', 'GET', { 'sec-fetch-mode': 'navigate', accept: '*/*' }, true],
    ['websocket mode', 'GET', { 'sec-fetch-mode': 'websocket' }, false],
    ['unknown mode', 'GET', { 'sec-fetch-mode': 'teleport', accept: 'text/html' }, false],
    ['empty Accept', 'GET', { accept: '' }, false],
    ['HTML refused with q=0', 'GET', { accept: 'text/html;q=0, */*' }, false],
    ['JSON preferred over HTML', 'GET', { accept: 'application/json, text/html;q=0.5' }, false],
    ['HTML preferred over JSON', 'GET', { accept: 'text/html, application/json;q=0.5' }, true],
    ['garbage Accept', 'GET', { accept: ';;;,,' }, false],
  ]
  for (const [name, method, headers, expected] of rows) t.equal(isNavigation(method, headers), expected, name)
})
