// Starts the demo's processes and makes sure none outlives the demo. Each
// child leads its own process group (so a stop reaches npm's and sh's
// children too, and the terminal's Ctrl-C reaches only the supervisor, which
// then stops them in order). Where util-linux's setpriv exists (Linux), each
// child also gets a parent-death signal: if the supervisor itself is killed
// outright (SIGKILL, OOM), the kernel sends the child SIGTERM. A service is
// one process, so that reaches all of it; a task (npm ci, npm run build) is
// a tree, so it runs under a shell that answers that SIGTERM by killing its
// whole group.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync } from 'node:fs'

const SETPRIV = '/usr/bin/setpriv'

export interface ChildSpec {
  /** What the user reads in messages, e.g. "FastAPI (uvicorn)". */
  name: string
  command: string
  args: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  /** stdout and stderr are appended here (the supervisor never relays them). */
  logFile: string
  /**
   * A task that ends by itself (an install, a build): its exit is reported,
   * not treated as a crash, and a stop kills it at once (the next run redoes it).
   */
  task?: boolean
}

export interface Supervised {
  spec: ChildSpec
  pid: number
  /** Resolves with the exit code (null when a signal ended it, or it never started). */
  exited: Promise<number | null>
  /** True once it has exited (or failed to start). */
  ended: boolean
}

/** An exit nobody asked for: `code` or `signal`, as Node reports them. */
export type UnexpectedExit = (child: Supervised, code: number | null, signal: NodeJS.Signals | null) => void

export class Supervisor {
  readonly #children: { child: ChildProcess; supervised: Supervised }[] = []
  #stopping = false

  constructor(private readonly onUnexpectedExit: UnexpectedExit) {
    // Last resort, also on an uncaught exception: synchronous, so it runs in 'exit'.
    process.on('exit', () => this.killAll('SIGKILL'))
  }

  start(spec: ChildSpec): Supervised {
    // A fresh log each run, so a crash report shows this run's lines only.
    const log = openSync(spec.logFile, 'w')
    const [command, args] = withParentDeathSignal(spec)
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    })
    closeSync(log) // the child has its own copy
    const exited = new Promise<number | null>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (supervised.ended) return
        supervised.ended = true
        // Whatever the leader left in its group (npm's script shell, docusaurus) goes with it.
        signalGroup(child.pid, 'SIGKILL')
        if (!this.#stopping && !spec.task) this.onUnexpectedExit(supervised, code, signal)
        resolve(code)
      }
      child.once('exit', finish)
      // A command that cannot be started at all (ENOENT without setpriv) emits only 'error'.
      child.once('error', () => finish(null, null))
    })
    const supervised: Supervised = { spec, pid: child.pid ?? -1, exited, ended: false }
    this.#children.push({ child, supervised })
    return supervised
  }

  /**
   * Asks every child to stop (SIGTERM to its group), waits up to `graceMs`
   * milliseconds, then kills what is left. Resolves when all have exited.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true
    for (const { child, supervised } of this.#children)
      signalGroup(child.pid, supervised.spec.task ? 'SIGKILL' : 'SIGTERM')
    const all = Promise.all(this.#children.map(({ supervised }) => supervised.exited))
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs)
    })
    if ((await Promise.race([all, late])) === 'late') this.killAll('SIGKILL')
    clearTimeout(timer)
    await all
  }

  /** Sends `signal` to every child's process group now (the forced stop, and the 'exit' hook). */
  killAll(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL') this.#stopping = true
    for (const { child } of this.#children) signalGroup(child.pid, signal)
  }
}

// `sh -c 'trap … TERM; "$@" & wait $!' sh cmd args…`: runs the task in the
// background of a shell that waits for it (and exits with its status), and on
// SIGTERM kills the process group, the task's whole tree with it.
const GROUP_REAPER = ['-c', 'trap "kill -KILL 0" TERM; "$@" & wait $!', 'sh']

/** The command line that runs `spec` with a parent-death signal, where setpriv exists. */
function withParentDeathSignal(spec: ChildSpec): [string, string[]] {
  if (!existsSync(SETPRIV)) return [spec.command, spec.args]
  const target = spec.task
    ? ['sh', ...GROUP_REAPER, spec.command, ...spec.args]
    : [spec.command, ...spec.args]
  return [SETPRIV, ['--pdeathsig', 'TERM', '--', ...target]]
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}
