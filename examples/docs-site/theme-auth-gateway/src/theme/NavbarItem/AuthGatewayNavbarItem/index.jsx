// The navbar item of type 'custom-authGateway': "Sign in" for strangers, the
// user's name with Account and Sign out for the signed-in. Every target is a
// gateway route outside the site's baseUrl, so every link is a plain <a href>
// (Docusaurus's <Link> would prepend the baseUrl, even to pathname:// links,
// and route client-side).

import { useLocation } from '@docusaurus/router'
import { usePluginData } from '@docusaurus/useGlobalData'
import clsx from 'clsx'
import { useEffect, useId, useRef, useState } from 'react'
import styles from './styles.module.css'
import useGatewaySession from './useGatewaySession'

const ITEM_CLASS = 'theme-auth-gateway-item'

export default function AuthGatewayNavbarItem({ mobile = false, className }) {
  const paths = usePluginData('docusaurus-theme-auth-gateway')
  const session = useGatewaySession(paths.sessionPath)
  // From the router, so the link follows client-side navigation (hash included).
  const { pathname, search, hash } = useLocation()
  const signInHref = `${paths.signInPath}?returnTo=${encodeURIComponent(pathname + search + hash)}`
  const Item = mobile ? MobileItem : DesktopItem
  // A stable class (CSS modules' are hashed) for a site's own CSS and for tests.
  const classes = clsx(ITEM_CLASS, className)
  return <Item session={session} paths={paths} signInHref={signInHref} className={classes} />
}

function DesktopItem({ session, paths, signInHref, className }) {
  if (session.state === 'unknown') {
    // Until the answer: an item of the width "Sign in" takes, showing
    // nothing, so the navbar neither jumps nor shows a wrong state. Without
    // JavaScript the answer never comes: <noscript> offers the link instead.
    return (
      <div className={clsx('navbar__item', styles.reserved, className)}>
        <noscript>
          <a className="navbar__link" href={signInHref}>
            Sign in
          </a>
        </noscript>
      </div>
    )
  }
  if (session.state === 'anonymous') {
    return (
      <a className={clsx('navbar__item', 'navbar__link', styles.reserved, className)} href={signInHref}>
        Sign in
      </a>
    )
  }
  return <UserMenu name={session.name} paths={paths} className={className} />
}

/**
 * A disclosure (button + list), styled as Infima's dropdown. Enter or Space
 * opens it, Tab walks its two entries, Escape closes it and returns focus
 * to the button, and focus or a click elsewhere closes it.
 */
function UserMenu({ name, paths, className }) {
  const [open, setOpen] = useState(false)
  const root = useRef(null)
  const button = useRef(null)
  const menuId = useId()

  useEffect(() => {
    if (!open) return undefined
    const closeIfOutside = (event) => {
      if (root.current && !root.current.contains(event.target)) setOpen(false)
    }
    const closeOnEscape = (event) => {
      if (event.key !== 'Escape') return
      setOpen(false)
      button.current?.focus()
    }
    const events = ['mousedown', 'touchstart', 'focusin']
    for (const type of events) document.addEventListener(type, closeIfOutside)
    document.addEventListener('keydown', closeOnEscape)
    return () => {
      for (const type of events) document.removeEventListener(type, closeIfOutside)
      document.removeEventListener('keydown', closeOnEscape)
    }
  }, [open])

  return (
    <div
      ref={root}
      className={clsx(
        'navbar__item',
        'dropdown',
        'dropdown--right',
        { 'dropdown--show': open },
        styles.reserved,
        className,
      )}
    >
      <button
        ref={button}
        type="button"
        className={clsx('navbar__link', styles.trigger)}
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
      >
        <span className={styles.name}>{name}</span>
      </button>
      <ul id={menuId} className={clsx('dropdown__menu', styles.menu)}>
        <li>
          <a className="dropdown__link" href={paths.accountPath}>
            Account
          </a>
        </li>
        <li>
          <SignOutForm action={paths.signOutPath} className="dropdown__link" />
        </li>
      </ul>
    </div>
  )
}

/** A real form post: the gateway ends the session and redirects to sign-in. */
function SignOutForm({ action, className }) {
  return (
    <form method="post" action={action} className={styles.form}>
      <button type="submit" className={clsx(className, styles.formButton)}>
        Sign out
      </button>
    </form>
  )
}

/** In the mobile sidebar, as a menu entry (with the account entries nested). */
function MobileItem({ session, paths, signInHref, className }) {
  // (The mobile sidebar only opens with JavaScript: no <noscript> here.)
  if (session.state === 'unknown') {
    return <li className={clsx('menu__list-item', styles.mobileReserved, className)} aria-hidden="true" />
  }
  if (session.state === 'anonymous') {
    return (
      <li className={clsx('menu__list-item', className)}>
        <a className="menu__link" href={signInHref}>
          Sign in
        </a>
      </li>
    )
  }
  return (
    <li className={clsx('menu__list-item', className)}>
      <span className={clsx('menu__link', styles.mobileName)}>{session.name}</span>
      <ul className="menu__list">
        <li className="menu__list-item">
          <a className="menu__link" href={paths.accountPath}>
            Account
          </a>
        </li>
        <li className="menu__list-item">
          <SignOutForm action={paths.signOutPath} className={clsx('menu__link', styles.inheritSize)} />
        </li>
      </ul>
    </li>
  )
}
