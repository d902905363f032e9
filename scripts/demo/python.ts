// Which Python can run the FastAPI example. A newcomer may have FastAPI from
// pip (the `python3` on PATH) or from Debian's packages (/usr/bin/python3,
// which a pyenv or venv `python3` on PATH would hide), so both are tried.
import { spawnSync } from 'node:child_process'

// What examples/fastapi imports: the app, its server, and PyJWT with the
// cryptography backend for the EdDSA assertion.
const MODULES = ['fastapi', 'uvicorn', 'jwt', 'cryptography']

export type PythonChoice = { python: string } | { missing: string }

/**
 * The first interpreter that imports every module the example needs: only
 * `PYTHON` when it is set, else `python3` on PATH, then /usr/bin/python3.
 * When none can, `missing` is the message to print (what each said, and
 * what to install with apt-get or pip).
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): PythonChoice {
  const candidates = env.PYTHON ? [env.PYTHON] : ['python3', '/usr/bin/python3']
  const failures: string[] = []
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8', env })
    if (probe.status === 0) return { python }
    // The last line of a traceback names the missing module.
    const why = probe.error?.message || probe.stderr.trim().split('\n').at(-1) || `exit code ${probe.status}`
    failures.push(`  ${python}: ${why}`)
  }
  return {
    missing: [
      'The API example (examples/fastapi) needs Python 3 with FastAPI, uvicorn and PyJWT:',
      ...failures,
      '  Debian/Ubuntu: sudo apt-get install python3-fastapi python3-uvicorn python3-jwt python3-cryptography',
      `  pip:           ${env.PYTHON || 'python3'} -m pip install -r examples/fastapi/requirements.txt`,
      '  (PYTHON=/path/to/python3 picks the interpreter.) The demo goes on without the API: /api answers 502.',
    ].join('\n'),
  }
}
