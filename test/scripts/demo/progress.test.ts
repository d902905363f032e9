import t from 'tap'
import { progress } from '../../../scripts/demo/progress.ts'

function stream(isTTY: boolean) {
  const written: string[] = []
  return { written, out: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream }
}

t.test('in a pipe or a CI log: one line when it starts, one when it ends', async (t) => {
  const { written, out } = stream(false)
  progress('Docs site: building', out).done()
  t.same(written, ['Docs site: building…\n', 'Docs site: building: done in 0 s\n'])
})

t.test('on a terminal: one line redrawn in place, then the outcome', async (t) => {
  const { written, out } = stream(true)
  const line = progress('Docs site: installing', out)
  await new Promise((r) => setTimeout(r, 1100))
  line.done('failed')
  t.equal(written[0], '\r\x1b[KDocs site: installing… 0 s')
  t.ok(written.length >= 3, 'redrawn each second')
  t.equal(written.at(-1), '\r\x1b[KDocs site: installing: failed in 1 s\n')
})
