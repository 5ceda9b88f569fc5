/**
 * HTML made by the `html` tag: its literal parts as written, every value in it
 * escaped. A renderer builds its page out of these, so a value can only reach
 * the page as markup by having been written as a template literal in this
 * code: forgetting to escape is not possible, only escaping twice would be
 * (and a SafeHtml is never escaped again).
 */
export class SafeHtml {
  readonly #text: string;
  private constructor(text: string) {
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }

  /** The tag itself (exported as `html`): the one way to make a SafeHtml. */
  static tag(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
    let text = strings[0]!;
    let context = after(strings[0]!, TEXT);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (!(value instanceof SafeHtml)) assertEscapable(strings[i]!, context);
      text += interpolate(value) + strings[i + 1]!;
      context = after(strings[i + 1]!, context);
    }
    return new SafeHtml(text);
  }
}

/**
 * What may go into `html`: markup made by the tag, text and numbers (escaped), a list of either, or
 * nothing.
 */
export type HtmlValue = SafeHtml | string | number | null | undefined | readonly HtmlValue[];

/** `html\`<td>${value}</td>\``: the value escaped unless it is itself the tag's output. */
export const html = SafeHtml.tag;

function interpolate(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined) return '';
  return escapeText(String(value));
}

/**
 * Where a template's literal parts have left the markup: inside a tag, and inside a <script> or
 * <style> element.
 */
interface Context {
  readonly inTag: boolean;
  readonly rawText: boolean;
}
const TEXT: Context = { inTag: false, rawText: false };

/**
 * Escaping makes text inert in element content and in quoted attribute values,
 * not in an unquoted attribute (a space starts a new one) nor inside <script>
 * or <style> (raw text, where entities mean nothing): a template that puts a
 * value there is a mistake in this code, refused when the page is built.
 */
function assertEscapable(before: string, context: Context): void {
  if (context.rawText) throw new Error('html: a value inside <script> or <style>');
  if (context.inTag && /=\s*$/.test(before))
    throw new Error(`html: a value in an unquoted attribute: ${before.slice(-40)}`);
}

/**
 * The context after a literal part, given the one before it (values are escaped, so only literals
 * open or close anything).
 */
function after(literal: string, before: Context): Context {
  const opened = Math.max(literal.lastIndexOf('<script'), literal.lastIndexOf('<style'));
  const closed = Math.max(literal.lastIndexOf('</script'), literal.lastIndexOf('</style'));
  const [tagStart, tagEnd] = [literal.lastIndexOf('<'), literal.lastIndexOf('>')];
  return {
    rawText: opened === closed ? before.rawText : opened > closed,
    inTag: tagStart === tagEnd ? before.inTag : tagStart > tagEnd,
  };
}

/** Inert in element content and in quoted attribute values alike. */
function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
