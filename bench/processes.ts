// Child processes for the benchmark: each participant runs in its own
// process, so the load generator (this process) does not share its event loop.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'

export interface Running {
  name: string
  child: ChildProcess
  port: number
  stop(): Promise<void>
  /** Resident set size in bytes, from /proc. */
  rss(): number
  /** CPU seconds used so far, user and system, from /proc. */
  cpuSeconds(): number
}

/**
 * Starts `command` and waits until its output matches `ready` (capturing a
 * port), or, with `ready` null, returns at once for the caller to poll `port`.
 */
export async function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp | null,
  port?: number,
  cwd?: string,
): Promise<Running> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const found = await new Promise<number>((resolve, reject) => {
    if (ready === null) return resolve(port ?? 0)
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000)
    const onData = (data: Buffer) => {
      output += data.toString()
      const match = output.match(ready)
      if (match) {
        clearTimeout(timer)
        resolve(port ?? Number(match[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code}:\n${output}`))
    })
  })
  child.stdout?.resume()
  child.stderr?.resume()
  return {
    name,
    child,
    port: found,
    rss: () => rssOf(child.pid),
    cpuSeconds: () => cpuSecondsOf(child.pid),
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    },
  }
}

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

const TICKS_PER_SECOND = 100 // USER_HZ, the unit of /proc/<pid>/stat times on Linux

function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}
