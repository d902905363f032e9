// scrypt on a few dedicated worker threads that run at a lower CPU priority
// than the event loop. node:crypto's async scrypt already runs off the event
// loop, on libuv's pool, but at the same priority: on a small machine one
// hash takes a whole core from the proxy, and a sign-in storm multiplied the
// proxied p99 (docs/performance.md). A thread with a higher nice value only gets
// the CPU the proxy leaves over, so a storm slows sign-ins rather than every
// proxied request. Workers start on demand and stop when idle, so a gateway
// that nobody signs in to carries no extra isolate.
import { Worker } from 'node:worker_threads'

export interface ScryptParams {
  N: number
  r: number
  p: number
  maxmem: number
}

export interface ScryptPoolOptions {
  /** Hashes that may run at once (each one takes a core and 128·N·r bytes). */
  size: number
  keyLength: number
  params: ScryptParams
  /** Added niceness for the hashing threads (Linux; elsewhere they run at normal priority). */
  nice: number
  /** An idle worker is stopped after this long. */
  idleMs: number
}

export interface ScryptPool {
  derive(password: string, salt: string): Promise<Buffer>
  /** Stops every worker; hashes still queued or running are rejected. */
  close(): Promise<void>
}

// Plain JavaScript, run with `eval`: the same text works under tsx and from
// dist/, and the worker loads no loader or application code.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { scryptSync } = require('node:crypto')
try {
  // Linux: niceness is per thread, and /proc/thread-self names this one.
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())
  require('node:os').setPriority(tid, workerData.nice)
} catch {}
parentPort.on('message', ({ password, salt }) => {
  try {
    parentPort.postMessage({ key: scryptSync(password, salt, workerData.keyLength, workerData.params) })
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) })
  }
})
`

interface Job {
  password: string
  salt: string
  resolve: (key: Buffer) => void
  reject: (error: Error) => void
}

interface Slot {
  worker: Worker
  job: Job | undefined
  idleTimer: NodeJS.Timeout | undefined
}

export function createScryptPool(options: ScryptPoolOptions): ScryptPool {
  const slots = new Set<Slot>()
  const queue: Job[] = []

  const start = (): Slot => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { nice: options.nice, keyLength: options.keyLength, params: options.params },
      // scrypt's memory is native; the worker's own JavaScript heap stays tiny.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    })
    const slot: Slot = { worker, job: undefined, idleTimer: undefined }
    worker.on('message', (message: { key?: Uint8Array; error?: string }) => {
      const job = slot.job
      slot.job = undefined
      worker.unref()
      if (message.key !== undefined)
        job?.resolve(Buffer.from(message.key.buffer, message.key.byteOffset, message.key.byteLength))
      else job?.reject(new Error(`scrypt failed: ${message.error}`))
      next(slot)
    })
    // A worker that dies (out of memory, terminated) fails only the hash it
    // was running; the next hash starts a new worker.
    const lost = (error: Error) => {
      if (!slots.delete(slot)) return
      clearTimeout(slot.idleTimer)
      slot.job?.reject(error)
      slot.job = undefined
      pump()
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new Error(`password hashing worker exited (${code})`)))
    slots.add(slot)
    return slot
  }

  const run = (slot: Slot, job: Job) => {
    clearTimeout(slot.idleTimer)
    slot.idleTimer = undefined
    slot.job = job
    // Referenced only while hashing: an idle pool never holds the process open.
    slot.worker.ref()
    slot.worker.postMessage({ password: job.password, salt: job.salt })
  }

  const next = (slot: Slot) => {
    const job = queue.shift()
    if (job !== undefined) return run(slot, job)
    slot.idleTimer = setTimeout(() => {
      slots.delete(slot)
      void slot.worker.terminate()
    }, options.idleMs)
    slot.idleTimer.unref()
  }

  const pump = () => {
    for (const slot of slots) {
      if (queue.length === 0) return
      if (slot.job === undefined) run(slot, queue.shift() as Job)
    }
    while (queue.length > 0 && slots.size < options.size) run(start(), queue.shift() as Job)
  }

  return {
    derive(password, salt) {
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ password, salt, resolve, reject })
        pump()
      })
    },
    async close() {
      for (const job of queue.splice(0)) job.reject(new Error('password hashing stopped'))
      await Promise.all([...slots].map((slot) => slot.worker.terminate()))
    },
  }
}
