/**
 * HTML written by hand, safely: every value put into the `html` template is escaped unless it is
 * already `Html` (the result of another `html` template, or `trusted(...)` for markup produced by a
 * renderer the report trusts, the topology's SVG). Text and attribute values escape the same five
 * characters, so a value may stand in either place (attribute values are always double-quoted).
 */

/** Markup that is already safe to write as it is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML that shows it verbatim, in an element or in a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** What may be interpolated: nothing (written as nothing), text and numbers (escaped), Html, and lists of them. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function write(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(write).join('');
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped (but Html, which is written as it is). */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += write(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup from a source the report trusts to be safe (say why at the call). */
export function trusted(markup: string): Html {
  return new Html(markup);
}
