// The demo's gateway runs one fixed configuration, whatever the caller's
// environment says: every setting .env.example names is dropped.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { demoGatewayEnv, settingNames } from '../../../scripts/demo/gateway-env.ts'

const ENV_EXAMPLE = new URL('../../../.env.example', import.meta.url).pathname

t.test('the names of .env.example, commented out or not, and nothing from its prose', async (t) => {
  const names = settingNames(readFileSync(ENV_EXAMPLE, 'utf8'))
  for (const name of [
    'PORT',
    'DATABASE_URL',
    'BETTER_AUTH_SECRET',
    'ASSERTION_AUDIENCE',
    'NODE_ENV',
    'LOG_LEVEL',
  ])
    t.ok(names.includes(name), name)
  t.same(
    settingNames('# Required when NODE_ENV=production (openssl rand)\nFOO=1\n# BAR_2=x\n  # not=this\n'),
    ['FOO', 'BAR_2'],
  )
})

t.test('a caller’s settings are dropped, the rest of the environment kept, the demo’s set', async (t) => {
  const env = demoGatewayEnv(
    {
      PATH: '/usr/bin',
      HOME: '/root',
      DATABASE_URL: 'postgres://nope@127.0.0.1:1/x',
      ASSERTION_AUDIENCE: 'https://elsewhere.example',
      BETTER_AUTH_SECRET: 'short',
      NODE_ENV: 'production',
    },
    ENV_EXAMPLE,
    { PORT: '3001', PUBLIC_URL: 'http://localhost:3001' },
  )
  t.same(env, { PATH: '/usr/bin', HOME: '/root', PORT: '3001', PUBLIC_URL: 'http://localhost:3001' })
})
