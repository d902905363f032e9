// `npm run admin -- <command>`: the admin CLI (scripts/admin/). Reads the
// same environment and .env as the server; `--help` lists the commands and
// README "Admin CLI" the exit codes.
import { readEnvironment } from '../src/config/config.ts'
import { runAdmin } from './admin/program.ts'

const code = await runAdmin(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: readEnvironment(),
})
process.exitCode = code
// Whatever a driver leaves open (a pool's timer, a worker) must not hold the
// exit; output already written to a pipe is flushed before the process ends.
setTimeout(() => process.exit(code), 1000).unref()
