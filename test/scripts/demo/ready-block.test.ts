import t from 'tap'
import { readyBlock } from '../../../scripts/demo/ready-block.ts'

const BASE = { origin: 'http://localhost:3001', seconds: 4.4, docsUrl: 'http://127.0.0.1:40001' }

t.test('with the API: every URL on the one origin, the upstreams named', async (t) => {
  const block = readyBlock({ ...BASE, apiUrl: 'http://127.0.0.1:40002' })
  t.match(block, '✔ Demo ready in 4 s. Open http://localhost:3001/docs/')
  t.match(block, 'sign up   http://localhost:3001/auth/sign-up?returnTo=/docs/')
  t.match(block, 'API       http://localhost:3001/api/me')
  t.match(block, 'Docusaurus on 127.0.0.1:40001, FastAPI on 127.0.0.1:40002.')
  t.match(block, 'Ctrl-C stops everything.')
  const widest = Math.max(
    ...readyBlock({ ...BASE, origin: 'http://localhost:65535', apiUrl: 'http://127.0.0.1:65535' })
      .split('\n')
      .map((l) => l.length),
  )
  t.ok(widest <= 80, `fits an 80-column terminal (widest line: ${widest})`)
})

t.test('without it: says so, names no FastAPI port', async (t) => {
  const block = readyBlock({ ...BASE, apiUrl: undefined })
  t.match(block, 'API       not started: Python with FastAPI is missing')
  t.notMatch(block, 'FastAPI on')
})
