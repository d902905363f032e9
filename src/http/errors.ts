// Named errors for everything the gateway itself answers. The one error
// handler (error-handler.ts) renders them; handlers never build error JSON by hand.
import createError from '@fastify/error'

export const BadPath = createError('GW_BAD_PATH', 'Bad request path: %s', 400)
export const BadFraming = createError('GW_BAD_FRAMING', 'Ambiguous request framing: %s', 400)
export const BadWebsocketHandshake = createError(
  'GW_BAD_WEBSOCKET_HANDSHAKE',
  'Malformed websocket handshake: %s',
  400,
)
export const UnsupportedWebsocketVersion = createError(
  'GW_WEBSOCKET_VERSION',
  'Unsupported websocket version; this server speaks version 13',
  426,
)
export const Unauthorized = createError('GW_UNAUTHORIZED', 'Sign in to access this resource', 401)
export const CrossOriginForm = createError('GW_CROSS_ORIGIN', 'Cross-origin form submission refused', 403)
export const UnsupportedAuthMethod = createError('GW_METHOD_NOT_ALLOWED', 'Method not allowed', 405)
export const UpstreamUnavailable = createError('GW_BAD_GATEWAY', 'The upstream service is unavailable', 502)

/**
 * Outside production, what the 502 of an upstream that is not running tells
 * the developer looking at it: which one, where, and the command that starts
 * the repository's example there. Set as `startHint` on an UpstreamUnavailable.
 */
export interface StartHint {
  /** One sentence naming the upstream, its variable and its address. */
  message: string
  /** Shell lines that start the example upstream at that address. */
  commands: string[]
}
export const SessionStoreUnavailable = createError(
  'GW_SESSION_UNAVAILABLE',
  'The session could not be validated; try again shortly',
  503,
)
/** WORKERS: the primary could not gather every worker's metrics in time. */
export const MetricsUnavailable = createError(
  'GW_METRICS_UNAVAILABLE',
  'Metrics are temporarily unavailable',
  503,
)
export const AuthUnavailable = createError('GW_AUTH_UNAVAILABLE', 'Sign-in is temporarily unavailable', 503)
export const AuthBusy = createError(
  'GW_AUTH_BUSY',
  'Too many sign-ins are in progress; try again shortly',
  503,
)
/** nginx's 499: nobody is left to read the answer; it only appears in logs. */
export const ClientGone = createError(
  'GW_CLIENT_GONE',
  'The client closed the connection before its turn',
  499,
)
export const UpstreamTimeout = createError(
  'GW_GATEWAY_TIMEOUT',
  'The upstream service did not answer in time',
  504,
)

/** Seconds a client should wait before retrying a 503 from the gateway. */
export const RETRY_AFTER_SECONDS = 5
