// Building blocks of the forms. Accessibility lives here once: every input has
// a <label for>, hints and a form's error are tied to its inputs with
// aria-describedby, and errors are announced (role="alert").
import { escapeHtml } from '../../../src/http/html.ts'

/** A rendered page before the layout: the layout adds the brand to the title. */
export interface Page {
  title: string
  /** Markup; every interpolated value already escaped. */
  body: string
  wide?: boolean
}

/** An error shown above a form, announced by screen readers; `id` is what the inputs point at. */
export function errorAlert(id: string, text: string | undefined): string {
  return text === undefined
    ? ''
    : `<div class="alert error" role="alert" id="${id}">${escapeHtml(text)}</div>\n`
}

/** A confirmation, announced politely. */
export function noticeStatus(text: string | undefined): string {
  return text === undefined ? '' : `<div class="alert notice" role="status">${escapeHtml(text)}</div>\n`
}

export interface FieldSpec {
  id: string
  name: string
  label: string
  type: 'email' | 'password' | 'text'
  autocomplete: string
  value?: string
  hint?: string
  minlength?: number
  maxlength?: number
  /** The id of the form's error alert, when it shows one. */
  errorId?: string
  autofocus?: boolean
}

/** A labelled input, with its hint and the form's error as its description. */
export function field(spec: FieldSpec): string {
  const hintId = spec.hint === undefined ? undefined : `${spec.id}-hint`
  const describedBy = [hintId, spec.errorId].filter((id) => id !== undefined).join(' ')
  const attributes = [
    `id="${spec.id}"`,
    `name="${spec.name}"`,
    `type="${spec.type}"`,
    `autocomplete="${spec.autocomplete}"`,
    'required',
    spec.minlength === undefined ? '' : `minlength="${spec.minlength}"`,
    spec.maxlength === undefined ? '' : `maxlength="${spec.maxlength}"`,
    spec.value === undefined ? '' : `value="${escapeHtml(spec.value)}"`,
    describedBy === '' ? '' : `aria-describedby="${describedBy}"`,
    spec.autofocus ? 'autofocus' : '',
  ].filter((attribute) => attribute !== '')
  return `<div class="field">
<label for="${spec.id}">${escapeHtml(spec.label)}</label>
${hintId === undefined ? '' : `<p class="hint" id="${hintId}">${escapeHtml(spec.hint)}</p>\n`}<input ${attributes.join(' ')}>
</div>
`
}

/** The same-origin path to go to after the form, carried through it. */
export function returnToInput(returnTo: string): string {
  return `<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">\n`
}

/** "?returnTo=…" for a link to the other form, or nothing for "/". */
export function returnToQuery(returnTo: string): string {
  return returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`
}
