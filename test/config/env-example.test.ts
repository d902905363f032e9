// .env.example is what an operator copies: it must name every setting the
// gateway reads, nothing else, and give each one's real default. Uncommenting
// every line must change nothing.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { parseConfig } from '../../src/config/config.ts'

const CWD = '/srv/gateway'
const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8')
const source = await readFile(new URL('../../src/config/config.ts', import.meta.url), 'utf8')

/** `# NAME=value` lines: the settings the example documents, with their defaults. */
const documented = new Map(
  [...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
)
/** The names config.ts reads: get('X') and integer('X', …). */
const read = new Set([...source.matchAll(/(?:get|integer)\('([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] as string))

t.test('the example names exactly the settings the gateway reads', async (t) => {
  t.ok(read.size > 20, `config.ts reads ${read.size} settings`)
  t.same([...documented.keys()].sort(), [...read].sort())
})

t.test('every default in the example is the real default', async (t) => {
  // Empty values mean "unset", which is how parseConfig treats them too.
  const uncommented = Object.fromEntries(documented)
  t.same(parseConfig(uncommented, CWD), parseConfig({}, CWD))
})
