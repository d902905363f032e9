// cookieValue: exactly the value Better Auth reads, or "duplicated" when the
// name starts more than one pair (the spellings of a tossed cookie).
import t from 'tap'
import { cookieValue, DUPLICATED } from '../../src/http/cookie-value.ts'

const NAME = 'better-auth.session_token'

t.test('one value, or none', async (t) => {
  const rows: [string, string | undefined, string | undefined][] = [
    ['absent header', undefined, undefined],
    ['only the cookie', `${NAME}=abc.sig`, 'abc.sig'],
    ['among others', `theme=dark; ${NAME}=abc.sig; lang=en`, 'abc.sig'],
    ['no space after ;', `theme=dark;${NAME}=abc.sig`, 'abc.sig'],
    ['a longer name ending the same', `x${NAME}=evil`, undefined],
    ['the name as a value', `other=${NAME}=evil`, undefined],
    ['empty value', `${NAME}=`, undefined],
    ['the __Secure- name is a different cookie', `__Secure-${NAME}=abc`, undefined],
    ['the same value with another name beside it', `${NAME}=a; x${NAME}=b`, 'a'],
    ['a space before = (better-call trims the name)', `${NAME} =abc.sig`, 'abc.sig'],
  ]
  for (const [label, header, expected] of rows) t.equal(cookieValue(header, NAME), expected, label)
  t.equal(cookieValue(`__Secure-${NAME}=s1`, `__Secure-${NAME}`), 's1', 'the secure name when configured')
})

t.test('every spelling of a duplicate is reported, never resolved', async (t) => {
  const rows: [string, string][] = [
    ['same name twice in one header (cookie tossing: a sibling subdomain)', `${NAME}=planted; ${NAME}=real`],
    ['the same value twice', `${NAME}=a; ${NAME}=a`],
    ['two Cookie headers, joined by Node with "; "', `${NAME}=planted; theme=dark; ${NAME}=real`],
    ['a narrower path first, as browsers order them', `${NAME}=from-path-api; lang=en; ${NAME}=from-root`],
    ['no space after ;', `${NAME}=a;${NAME}=b`],
    ['one empty, one set', `${NAME}=; ${NAME}=real`],
    ['one spelled `name =` (a raw client; better-call reads it as the same name)', `${NAME} =a; ${NAME}=b`],
    ['a tab before =', `${NAME}\t=a; ${NAME}=b`],
  ]
  for (const [label, header] of rows) t.equal(cookieValue(header, NAME), DUPLICATED, label)
})
