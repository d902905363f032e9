// Which Python runs the FastAPI example, and what the demo says when none can.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { findPython } from '../../../scripts/demo/python.ts'

t.test('PYTHON set: only that interpreter', async (t) => {
  t.same(findPython({ ...process.env, PYTHON: '/usr/bin/python3' }), { python: '/usr/bin/python3' })
  const refused = findPython({ ...process.env, PYTHON: '/bin/false' })
  t.ok('missing' in refused, 'an interpreter that fails the imports is refused')
  if (!('missing' in refused)) return
  t.match(refused.missing, '/bin/false: exit code 1', 'naming it and why')
  t.match(refused.missing, 'apt-get install python3-fastapi python3-uvicorn python3-jwt python3-cryptography')
  t.match(refused.missing, 'pip install -r examples/fastapi/requirements.txt')
  const absent = findPython({ ...process.env, PYTHON: '/nonexistent/python3' })
  t.match(
    'missing' in absent && absent.missing,
    /\/nonexistent\/python3: spawnSync \/nonexistent\/python3 ENOENT/,
  )
})

t.test('PYTHON unset: a python3 on PATH without FastAPI falls back to /usr/bin/python3', async (t) => {
  const bin = mkdtempSync(join(tmpdir(), 'gw-python-'))
  t.teardown(() => rmSync(bin, { recursive: true, force: true }))
  // A pyenv or venv python3 without the packages: the traceback's last line.
  writeFileSync(
    join(bin, 'python3'),
    '#!/bin/sh\necho "ModuleNotFoundError: No module named \'fastapi\'" >&2\nexit 1\n',
  )
  chmodSync(join(bin, 'python3'), 0o755)
  const { PYTHON: _, ...env } = process.env
  t.same(findPython({ ...env, PATH: `${bin}:${process.env.PATH}` }), { python: '/usr/bin/python3' })
})
