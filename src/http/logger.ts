// pino through Fastify. Credentials never reach a log line, whichever
// serializer or ad-hoc object put them there; pretty output only on a terminal
// (JSON lines everywhere else, for whatever ships the logs).
import type { FastifyBaseLogger } from 'fastify'
import { type Level, type LoggerOptions, stdSerializers } from 'pino'

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  'password',
]

/**
 * An error as logged, minus a failed query's parameters. Drizzle's
 * DrizzleQueryError writes them into its message and stack ("params: …")
 * and keeps them in `params`: for the session query those are session
 * tokens, up to a batch of them. The query text and the driver's cause stay.
 */
export function serializeError(error: unknown): ReturnType<typeof stdSerializers.err> {
  const serialized = stdSerializers.err(error as Error)
  if (!(error instanceof Error) || !('params' in error)) return serialized
  const redact = (text: string | undefined) => text?.replace(/\nparams: [^\n]*/, '\nparams: [redacted]')
  return {
    ...serialized,
    message: redact(serialized.message) as string,
    stack: redact(serialized.stack) as string,
    params: '[redacted]',
  }
}

/** pino's options for Fastify's `logger`: `level` as LOG_LEVEL gives it, `pretty` only on a terminal. */
export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
          },
        }
      : {}),
  }
}

type Bindings = Parameters<FastifyBaseLogger['child']>[0]
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1]
type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean }

/**
 * Fastify gives every request a pino child carrying its id. With wildcard
 * redaction paths pino runs the redactor over each child's bindings, one of
 * the larger costs of a proxied request; yet at LOG_LEVEL=warn or above a
 * request that goes well writes nothing. So a request's logger becomes a real
 * child only when a line at an enabled level is written (at info, Fastify's
 * own request lines make it at once). The lines, their bindings and their
 * redaction are exactly pino's.
 */
class DeferredChild implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined
  readonly #parent: LevelAware
  readonly #bindings: Bindings
  readonly #options: ChildOptions

  constructor(parent: LevelAware, bindings: Bindings, options: ChildOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }

  #write(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return
    const child = this.#real() as unknown as Record<Level, (...args: unknown[]) => void>
    child[level](...args)
  }

  get level(): string {
    return (this.#child ?? this.#parent).level
  }
  set level(level: string) {
    this.#real().level = level
  }
  fatal(...args: unknown[]) {
    this.#write('fatal', args)
  }
  error(...args: unknown[]) {
    this.#write('error', args)
  }
  warn(...args: unknown[]) {
    this.#write('warn', args)
  }
  info(...args: unknown[]) {
    this.#write('info', args)
  }
  debug(...args: unknown[]) {
    this.#write('debug', args)
  }
  trace(...args: unknown[]) {
    this.#write('trace', args)
  }
  silent() {}
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options)
  }
}

/**
 * Fastify's childLoggerFactory. A route with its own log level gets its child
 * at once (the level check must be the child's), as does a logger that cannot
 * answer isLevelEnabled.
 */
export function deferredChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildOptions,
): FastifyBaseLogger {
  const parent = logger as Partial<LevelAware>
  if (options?.level !== undefined || typeof parent.isLevelEnabled !== 'function') {
    return logger.child(bindings, options)
  }
  return new DeferredChild(parent as LevelAware, bindings, options)
}
