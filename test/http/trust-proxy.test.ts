import t from 'tap'
import { compileTrust } from '../../src/http/trust-proxy.ts'

t.test('compileTrust', async (t) => {
  const rows: {
    name: string
    trust: Parameters<typeof compileTrust>[0]
    checks: [string, number, boolean][]
  }[] = [
    {
      name: 'true: every hop trusted',
      trust: true,
      checks: [
        ['203.0.113.7', 0, true],
        ['10.0.0.1', 5, true],
      ],
    },
    {
      name: 'false: no hop trusted (X-Forwarded-For ignored)',
      trust: false,
      checks: [
        ['127.0.0.1', 0, false],
        ['10.0.0.1', 1, false],
      ],
    },
    {
      name: 'hop count 1: only the direct peer is a proxy',
      trust: 1,
      checks: [
        ['203.0.113.7', 0, true],
        ['203.0.113.7', 1, false],
        ['10.0.0.1', 2, false],
      ],
    },
    {
      name: 'hop count 2',
      trust: 2,
      checks: [
        ['10.0.0.1', 0, true],
        ['10.0.0.1', 1, true],
        ['10.0.0.1', 2, false],
      ],
    },
    { name: 'hop count 0: nothing trusted', trust: 0, checks: [['127.0.0.1', 0, false]] },
    {
      name: "CIDR list ['127.0.0.1/8']",
      trust: ['127.0.0.1/8'],
      checks: [
        ['127.0.0.5', 0, true],
        ['127.255.255.254', 1, true],
        ['10.0.0.1', 0, false],
        ['128.0.0.1', 0, false],
      ],
    },
    {
      name: 'several entries',
      trust: ['10.0.0.0/8', '192.168.1.1'],
      checks: [
        ['10.1.2.3', 0, true],
        ['192.168.1.1', 0, true],
        ['192.168.1.2', 0, false],
      ],
    },
    {
      name: "'loopback'",
      trust: ['loopback'],
      checks: [
        ['127.0.0.1', 0, true],
        ['::1', 0, true],
        ['::ffff:127.0.0.1', 0, true],
        ['10.0.0.1', 0, false],
        ['203.0.113.7', 0, false],
      ],
    },
  ]
  for (const row of rows) {
    const trusted = compileTrust(row.trust)
    for (const [address, hop, expected] of row.checks) {
      t.equal(trusted(address, hop), expected, `${row.name}: ${address} at hop ${hop} → ${expected}`)
    }
  }
})
