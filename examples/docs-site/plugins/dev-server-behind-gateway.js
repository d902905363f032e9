// `docusaurus start` behind the gateway. webpack-dev-server opens its
// live-reload (HMR) websocket at /ws, which the gateway does not proxy: it
// proxies /docs and /api only. This moves the websocket under the site's
// baseUrl, so it goes through the /docs proxy like every other dev request,
// and, for DOCS_SECTION=private, under the protected prefix with the rest of
// that section (compile errors, sources in the overlay).
//
// The browser side needs no change: Docusaurus already tells the client
// {hostname: '0.0.0.0', port: 0}, which means "the page's own host and port"
// (the gateway's, not the dev server's), and the client takes its path from
// webSocketServer.options.path.
module.exports = function devServerBehindGateway(context) {
  const path = `${context.baseUrl}__ws`
  return {
    name: 'dev-server-behind-gateway',
    configureWebpack(_config, isServer) {
      // Only `docusaurus start` reads devServer; a build ignores it.
      if (isServer) return {}
      return { devServer: { webSocketServer: { type: 'ws', options: { path } } } }
    },
  }
}
