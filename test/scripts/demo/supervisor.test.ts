// The demo's promise that nothing it starts outlives it, against real
// processes: whole process groups stop, a child that ignores SIGTERM is
// killed after the grace period, an exit nobody asked for is reported (a
// task's is not), and a supervisor killed outright takes its children along
// (setpriv's parent-death signal).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { type ChildSpec, Supervisor } from '../../../scripts/demo/supervisor.ts'
import { running } from '../../fixtures/processes.ts'

const dir = mkdtempSync(join(tmpdir(), 'gw-supervisor-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

function shell(script: string, extra: Partial<ChildSpec> = {}): ChildSpec {
  return {
    name: 'sh',
    command: 'sh',
    args: ['-c', script],
    cwd: dir,
    env: process.env,
    logFile: join(dir, 'log'),
    ...extra,
  }
}

async function pidIn(file: string): Promise<number> {
  for (;;) {
    const text = (() => {
      try {
        return readFileSync(file, 'utf8').trim()
      } catch {
        return ''
      }
    })()
    if (text !== '') return Number(text)
    await sleep(20)
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && running(pid); i++) await sleep(100)
  return !running(pid)
}

t.test('stop() ends the child and what it started (its process group)', async (t) => {
  const supervisor = new Supervisor(() => t.fail('no exit is unexpected during stop'))
  const file = join(dir, 'grandchild-1')
  const child = supervisor.start(shell(`sleep 60 & echo $! > ${file}; wait`))
  const grandchild = await pidIn(file)
  await supervisor.stop(5000)
  t.ok(child.ended, 'the child exited')
  t.ok(await gone(grandchild), 'and its own child too')
})

t.test('a child that ignores SIGTERM is killed when the grace period ends', async (t) => {
  const supervisor = new Supervisor(() => {})
  const file = join(dir, 'stubborn')
  supervisor.start(shell(`trap '' TERM; sleep 60 & echo $! > ${file}; wait`))
  const grandchild = await pidIn(file)
  const started = Date.now()
  await supervisor.stop(300)
  t.ok(Date.now() - started < 3000, 'stop() returns soon after the grace period')
  t.ok(await gone(grandchild), 'nothing is left')
})

t.test('an exit nobody asked for is reported with its code; a task’s is not', async (t) => {
  const reported: (number | null)[] = []
  const supervisor = new Supervisor((_child, code) => reported.push(code))
  t.equal(await supervisor.start(shell('exit 0', { task: true })).exited, 0, 'a task reports its code')
  t.equal(await supervisor.start(shell('exit 3')).exited, 3)
  await supervisor.start({ ...shell(''), command: '/nonexistent/program', args: [] }).exited
  t.equal(reported[0], 3, 'the service that exited is reported')
  t.equal(reported.length, 2, 'and one that could not start at all')
  await supervisor.stop(1000)
})

t.test('stop() kills a task at once: no grace period for an install or a build', async (t) => {
  const supervisor = new Supervisor(() => {})
  const file = join(dir, 'task-child')
  supervisor.start(shell(`trap '' TERM; sleep 60 & echo $! > ${file}; wait`, { task: true }))
  const grandchild = await pidIn(file)
  const started = Date.now()
  await supervisor.stop(10_000)
  t.ok(Date.now() - started < 3000, 'without waiting out the grace period')
  t.ok(await gone(grandchild), 'the task’s whole tree is gone')
})

t.test(
  'the supervisor killed outright (SIGKILL): the kernel stops its service and its task’s tree',
  async (t) => {
    const fixture = new URL('../../fixtures/supervised-sleep.ts', import.meta.url).pathname
    const taskChildFile = join(dir, 'orphan-task-child')
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, join(dir, 'sleep-log'), taskChildFile],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const [line] = (await once(parent.stdout, 'data')) as [Buffer]
    const service = Number(line.toString().trim())
    const taskChild = await pidIn(taskChildFile)
    t.ok(running(service) && running(taskChild), 'both run')
    parent.kill('SIGKILL')
    await once(parent, 'exit')
    t.ok(await gone(service), 'the service is gone once its supervisor is')
    t.ok(await gone(taskChild), 'and so is what the task started')
  },
)
