// A Docusaurus theme for a site served behind the auth gateway: the navbar
// item type 'custom-authGateway' ("Sign in", or the user's name with a menu).
//
//   themes: ['./theme-auth-gateway'],
//   themeConfig: { navbar: { items: [{ type: 'custom-authGateway', position: 'right' }] } }
//
// No build step: Docusaurus's own babel compiles the JSX under
// getThemePath(), as it does for any file outside node_modules (and, inside
// node_modules, for any path containing "docusaurus").
const path = require('node:path')

const NAME = 'docusaurus-theme-auth-gateway'

// The gateway's routes. They live outside the site's baseUrl, so the item
// links to them with plain <a href>, never Docusaurus's <Link>.
const DEFAULTS = {
  signInPath: '/auth/sign-in',
  accountPath: '/auth/account',
  signOutPath: '/auth/sign-out',
  sessionPath: '/api/auth/get-session',
}

function authGatewayTheme(_context, options) {
  return {
    name: NAME,
    getThemePath: () => path.join(__dirname, 'src', 'theme'),
    // The item reads these with usePluginData(NAME).
    contentLoaded({ actions }) {
      const { id: _id, ...paths } = options
      actions.setGlobalData(paths)
    },
  }
}

// Same-origin paths only: the session fetch must carry the gateway's cookie,
// and the sign-out form must post to the gateway's own origin check.
authGatewayTheme.validateOptions = ({ options }) => {
  const { id, ...given } = options
  const problems = []
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULTS)) problems.push(`unknown option "${key}"`)
    else if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//'))
      problems.push(`"${key}" must be a path on the gateway's origin, like "${DEFAULTS[key]}"`)
  }
  if (problems.length > 0) throw new Error(`${NAME}: ${problems.join('; ')}`)
  // Every plugin instance needs an id; a custom validator must set it.
  return { ...DEFAULTS, ...given, id: id ?? 'default' }
}

module.exports = authGatewayTheme
