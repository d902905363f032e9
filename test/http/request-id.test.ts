import t from 'tap'
import { requestIdFrom } from '../../src/http/request-id.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('well-formed client ids are kept, so a trace spans caller, gateway and backend', async (t) => {
  const kept: [string, string][] = [
    ['abc', 'short token'],
    ['0f8fad5b-d9cb-469f-a165-70867728950e', 'a UUID'],
    ['trace-01:span.02_x', 'every allowed punctuation character'],
    ['a', 'one character'],
    ['a'.repeat(128), '128 characters (the limit)'],
  ]
  for (const [id, name] of kept) t.equal(requestIdFrom(id), id, name)
})

t.test('everything else is replaced by a fresh UUID', async (t) => {
  const replaced: [string | string[] | undefined, string][] = [
    ['a'.repeat(129), '129 characters (log bloat)'],
    ['has space', 'space'],
    ['line\nbreak', 'LF (forged log line)'],
    ['x\r\nX-Injected: 1', 'CRLF (header injection)'],
    ['quote"d', 'double quote (breaks JSON/logfmt consumers)'],
    ["single'", 'single quote'],
    ['<script>', 'markup'],
    ['a/b', 'slash'],
    ['é', 'non-ASCII'],
    ['id\u0000', 'NUL'],
    ['', 'empty string'],
    [['a', 'b'], 'repeated header (array)'],
    [['abc'], 'single-element array'],
    [undefined, 'no header'],
  ]
  for (const [input, name] of replaced) {
    const id = requestIdFrom(input)
    t.match(id, UUID, `${name}: replaced by a UUID`)
    t.not(id, input, `${name}: the client value is not used`)
  }
  t.not(requestIdFrom(undefined), requestIdFrom(undefined), 'each replacement is fresh')
})
