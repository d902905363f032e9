// Registers the 'custom-authGateway' navbar item type beside the theme's own.
// @theme-init, not @theme-original: inside a theme, @theme-original names the
// last theme that provides the component (this one), which would import
// itself; @theme-init is the first provider (theme-classic).

import AuthGatewayNavbarItem from '@theme/NavbarItem/AuthGatewayNavbarItem'
import ComponentTypes from '@theme-init/NavbarItem/ComponentTypes'

export default { ...ComponentTypes, 'custom-authGateway': AuthGatewayNavbarItem }
