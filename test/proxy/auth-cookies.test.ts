import t from 'tap'
import { isAuthCookieName, stripAuthCookies } from '../../src/proxy/auth-cookies.ts'

t.test('stripAuthCookies: the gateway’s cookies never reach an upstream', async (t) => {
  const rows: { name: string; header: string | undefined; expected: string | undefined }[] = [
    { name: 'only the session token', header: 'better-auth.session_token=abc.sig', expected: undefined },
    {
      name: 'session token between other cookies',
      header: 'a=1; better-auth.session_token=abc.sig; b=2',
      expected: 'a=1; b=2',
    },
    {
      name: 'session_data cookie cache',
      header: 'better-auth.session_data=eyJ; theme=dark',
      expected: 'theme=dark',
    },
    {
      name: '__Secure- prefix used on https',
      header: '__Secure-better-auth.session_token=abc; theme=dark',
      expected: 'theme=dark',
    },
    {
      name: 'lower-case __secure- prefix',
      header: '__secure-better-auth.session_token=abc; x=1',
      expected: 'x=1',
    },
    {
      name: 'upper-case prefix and family name',
      header: '__SECURE-BETTER-AUTH.session_token=abc; x=1',
      expected: 'x=1',
    },
    { name: '__Host- prefix', header: '__Host-better-auth.session_token=abc; x=1', expected: 'x=1' },
    {
      name: 'other members of the family (dont_remember, plugin cookies)',
      header: 'better-auth.dont_remember=true; better-auth.two_factor=z; x=1',
      expected: 'x=1',
    },
    {
      name: 'whitespace around the name and value',
      header: '  better-auth.session_token = abc ;x=1',
      expected: 'x=1',
    },
    {
      name: 'auth cookie without "=" (name only)',
      header: 'better-auth.session_token; x=1',
      expected: 'x=1',
    },
    { name: 'order of kept cookies preserved', header: 'z=1; y=2; x=3', expected: 'z=1; y=2; x=3' },
    {
      name: 'order preserved around removed cookies',
      header: 'z=1; better-auth.session_token=t; y=2; __Secure-better-auth.session_data=d; x=3',
      expected: 'z=1; y=2; x=3',
    },
    { name: 'empty pairs dropped', header: 'a=1;;  ; b=2;', expected: 'a=1; b=2' },
    { name: 'cookie without "=" kept', header: 'flag; a=1', expected: 'flag; a=1' },
    {
      name: 'longer name sharing the family as a suffix',
      header: 'notbetter-auth.x=1',
      expected: 'notbetter-auth.x=1',
    },
    { name: 'family name without the dot', header: 'better-authx=1', expected: 'better-authx=1' },
    { name: 'bare better-auth name', header: 'better-auth=1', expected: 'better-auth=1' },
    {
      name: 'family name in a value, not a name',
      header: 'x=better-auth.session_token=abc',
      expected: 'x=better-auth.session_token=abc',
    },
    { name: 'prefix without family', header: '__Secure-other=1', expected: '__Secure-other=1' },
    { name: 'only separators', header: ' ; ;', expected: undefined },
    { name: 'empty header', header: '', expected: undefined },
    { name: 'no header', header: undefined, expected: undefined },
  ]
  for (const row of rows) t.equal(stripAuthCookies(row.header), row.expected, row.name)
})

t.test('isAuthCookieName', async (t) => {
  t.equal(isAuthCookieName('better-auth.session_token'), true)
  t.equal(isAuthCookieName('__Secure-better-auth.anything'), true)
  t.equal(isAuthCookieName('better-auth'), false)
  t.equal(isAuthCookieName('x-better-auth.session_token'), false)
})
