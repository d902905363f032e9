// @ts-check
// One site directory, two builds. Docusaurus ships every page's text in JS
// chunks shared under <baseUrl>assets/, and lists every page in sitemap.xml
// and the search index, so protecting only the private pages' HTML paths
// would still serve their content to anyone. DOCS_SECTION=private builds the
// private pages as a site of their own under /docs/private/, the prefix the
// gateway protects (AUTH_REQUIRED_PATHS=/docs/private): the public build
// never sees them. See README.md, "Why two builds".
const { themes: prismThemes } = require('prism-react-renderer')

const section = process.env.DOCS_SECTION ?? 'public'
if (section !== 'public' && section !== 'private') {
  throw new Error(`DOCS_SECTION must be "public" or "private", not "${section}"`)
}
const isPrivate = section === 'private'
const baseUrl = isPrivate ? '/docs/private/' : '/docs/'
// The origin browsers use, as the gateway's own PUBLIC_URL: canonical URLs
// and sitemap.xml are absolute.
const url = process.env.PUBLIC_URL ?? 'http://localhost:3001'

// The other section is another single-page app, so the way across is a
// plain <a> and a full page load. Docusaurus's <Link> would route it
// client-side (to this app's 404) and prepend this baseUrl even to a
// pathname:// link (/docs/private/ + /docs/), unless told autoAddBaseUrl:
// false; pathname:// also makes it open a new tab unless target is _self.
const crossLink = {
  to: isPrivate ? 'pathname:///docs/' : 'pathname:///docs/private/',
  label: isPrivate ? 'Public docs' : 'Private runbooks',
  autoAddBaseUrl: false,
  target: '_self',
  position: 'left',
}

// prism-react-renderer's themes draw comments, strings, numbers, keywords and
// functions below WCAG AA's 4.5:1 on their own backgrounds: the same hues,
// darker on the light theme, lighter on the dark one.
const legibleColors = {
  '#999988': '#6a6a5c',
  '#e3116c': '#c40f5e',
  '#36acaa': '#1d7573',
  '#00a4db': '#00709b',
  '#d73a49': '#c42f3d',
  'rgb(98, 114, 164)': '#8a96c8',
}
const legible = (theme) => ({
  ...theme,
  styles: theme.styles.map((s) => ({
    ...s,
    style: { ...s.style, color: legibleColors[s.style.color] ?? s.style.color },
  })),
})

// Paths in this file are written relative (Docusaurus resolves them against
// the site): the config is serialised into the client bundle, and a
// require.resolve() would ship this machine's absolute paths in it and make
// the build's hashes depend on where the checkout lives.
/** @type {import('@docusaurus/types').Config} */
module.exports = {
  title: isPrivate ? 'Gateway runbooks' : 'Gateway docs',
  tagline: 'Docs and an API behind one sign-in',
  favicon: 'img/favicon.svg',
  url,
  baseUrl,
  // Every page is <path>/index.html, so `docusaurus serve` and the gateway
  // agree on one spelling of each URL (/docs/private redirects to /docs/private/).
  trailingSlash: true,
  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  markdown: { hooks: { onBrokenMarkdownLinks: 'throw' } },
  i18n: { defaultLocale: 'en', locales: ['en'] },

  presets: [
    [
      'classic',
      /** @type {import('@docusaurus/preset-classic').Options} */
      ({
        docs: {
          path: isPrivate ? 'private' : 'docs',
          routeBasePath: '/',
          sidebarPath: `./sidebars/${section}.js`,
        },
        blog: false,
        pages: false,
        // The debug plugin (on by default in dev) publishes every plugin's
        // content and metadata under /__docusaurus/debug.
        debug: false,
        theme: { customCss: './src/css/custom.css' },
      }),
    ],
  ],

  themes: [
    './theme-auth-gateway',
    [
      '@easyops-cn/docusaurus-search-local',
      // Built offline, after the pages, into <outDir>/search-index-<hash>.json:
      // each section searches only itself, and the private index is protected.
      {
        // The hash in the file name, not in a query: `docusaurus serve` with
        // trailingSlash takes /search-index.json?_=<hash> for a page and
        // redirects it to …json/?_=…, a 404.
        hashed: 'filename',
        // What the hash is computed from (default: docs/ in either build).
        docsDir: isPrivate ? 'private' : 'docs',
        docsRouteBasePath: '/',
        indexBlog: false,
        indexPages: false,
        language: ['en'],
        // Its "ctrl K" hint is drawn below WCAG AA contrast.
        searchBarShortcutHint: false,
      },
    ],
  ],

  plugins: ['./plugins/dev-server-behind-gateway'],

  themeConfig:
    /** @type {import('@docusaurus/preset-classic').ThemeConfig} */
    ({
      navbar: {
        title: isPrivate ? 'Gateway runbooks' : 'Gateway docs',
        logo: { alt: '', src: 'img/favicon.svg' },
        items: [
          crossLink,
          { type: 'search', position: 'right' },
          { type: 'custom-authGateway', position: 'right' },
        ],
      },
      footer: {
        style: 'light',
        copyright: 'Served through the auth gateway: one origin for sign-in, docs and API.',
      },
      prism: {
        theme: legible(prismThemes.github),
        darkTheme: legible(prismThemes.dracula),
        additionalLanguages: ['bash'],
      },
      colorMode: { respectPrefersColorScheme: true },
    }),
}
