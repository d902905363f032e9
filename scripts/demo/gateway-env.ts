// The demo runs one fixed configuration: whatever the caller's shell exports
// or a .env file says (another database, an assertion audience, a short
// secret) would make it a different product or stop it from starting. The
// gateway's settings are the names .env.example lists (a test keeps that
// file and src/config/config.ts in step); every one is dropped from the
// inherited environment and the demo's own are set. The gateway also runs
// in .demo/, where no .env file is read.
import { readFileSync } from 'node:fs'

/** The variable names of an .env.example: `NAME=` lines, commented out or not. */
export function settingNames(envExample: string): string[] {
  return [...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] as string)
}

/** `inherited` without any gateway setting named in `envExamplePath`, then `settings`. */
export function demoGatewayEnv(
  inherited: NodeJS.ProcessEnv,
  envExamplePath: string,
  settings: Record<string, string>,
): NodeJS.ProcessEnv {
  const env = { ...inherited }
  for (const name of settingNames(readFileSync(envExamplePath, 'utf8'))) delete env[name]
  return { ...env, ...settings }
}
