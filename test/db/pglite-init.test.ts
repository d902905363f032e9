// A new embedded database is created (initdb) in a worker thread that exits,
// so the ~650 MB initdb grows PGlite's WASM memory to is not kept by the
// gateway for the rest of its life (db/pglite-init.ts).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import t from 'tap'
import { initialisePgliteDirectory, isInitialised } from '../../db/pglite-init.ts'
import type { Teardown } from '../helper.ts'

const START = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']

function tempDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-init-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('initialises a new directory off this thread, then opens it here', async (t) => {
  const path = join(tempDir(t), 'pglite')
  // PGlite's WASM memory is an ArrayBuffer of whichever thread runs it: in
  // this thread initdb grows it to ~340 MB (~630 MB of RSS), for good.
  const before = process.memoryUsage().arrayBuffers
  await initialisePgliteDirectory(path, START)
  const grown = process.memoryUsage().arrayBuffers - before
  t.ok(isInitialised(path), 'initdb completed')
  t.ok(grown < 16 * 1024 * 1024, `this thread's WASM memory grew by ${Math.round(grown / 1048576)} MB`)

  const db = await PGlite.create(path, { startParams: START })
  t.teardown(() => db.close())
  const { rows } = await db.query<{ answer: number }>('select 41 + 1 as answer')
  t.equal(rows[0]?.answer, 42, 'the directory opens as a working database')
})

t.test('an initialised directory is left alone', async (t) => {
  const path = join(tempDir(t), 'pglite')
  await initialisePgliteDirectory(path, START)
  const db = await PGlite.create(path, { startParams: START })
  await db.exec('create table kept (value text); insert into kept values ($$still here$$)')
  await db.close()

  await initialisePgliteDirectory(path, START)
  const again = await PGlite.create(path, { startParams: START })
  t.teardown(() => again.close())
  const { rows } = await again.query<{ value: string }>('select value from kept')
  t.same(rows, [{ value: 'still here' }], 'a second call neither re-creates nor touches the data')
})

t.test('a directory that cannot be created fails with an error, not a crash', async (t) => {
  const parent = tempDir(t)
  const blocker = join(parent, 'a-file')
  writeFileSync(blocker, 'not a directory')
  await t.rejects(initialisePgliteDirectory(join(blocker, 'pglite'), START), 'the caller gets a rejection')
  t.notOk(isInitialised(join(blocker, 'pglite')), 'and nothing half-made is taken for a database')
})
