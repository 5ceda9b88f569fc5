/**
 * Turns Heroku Connect's `_hc_err` (documented as JSON, often plain text) or a
 * trigger-log `sf_message` into a structured Salesforce error code. Shapes seen
 * in the wild: REST JSON `{"message","errorCode"}`, arrays
 * of `{"message","statusCode","fields"}`, Bulk CSV `CODE:message:--`, Apex
 * `CODE, message: [fields]`, a code somewhere inside a longer text (`first error: CODE, …`),
 * and bare messages with no code at all. fixtures/hc-errors holds 330 real ones.
 */
import {
  codeFromMessage,
  detailsFromMessage,
  type ErrorDetails,
  FOREIGN_KEY_MESSAGE,
  splitFields,
} from './error-messages.js';
import { unwrap } from './error-wrapping.js';
import { type HcErrorCode, isHcErrorCode } from './error-taxonomy.js';

export interface HcError extends ErrorDetails {
  /** sfsync's code: a Salesforce status code of the taxonomy, FOREIGN_KEY_NOT_FOUND or UNKNOWN. */
  readonly code: HcErrorCode;
  /**
   * Salesforce's own status code when the text carried one (e.g. INVALID_FIELD for a missing
   * foreign key), kept even when the taxonomy does not know it.
   */
  readonly statusCode: string | undefined;
  readonly message: string;
}

export const MAX_PARSED_LENGTH = 16_384;

/** null for an empty error; otherwise always a result, UNKNOWN when nothing matches. */
export function parseHcError(text: string | null | undefined): HcError | null {
  // Salesforce's messages are short; past this, the text is garbage (the full text stays in the
  // report's hcErr).
  const raw = text?.trim().slice(0, MAX_PARSED_LENGTH);
  if (!raw) return null;
  const unwrapped = unwrap(raw);
  const { message } = unwrapped;
  const statusCode = unwrapped.statusCode ?? codeInText(raw);
  const fields = unwrapped.fields ?? fieldsAfter(raw, statusCode);
  const listedFields = fields?.length ? { fields } : {};
  const foreignKey = FOREIGN_KEY_MESSAGE.exec(message);
  if (foreignKey) {
    const [, value, field, object] = foreignKey;
    return {
      code: 'FOREIGN_KEY_NOT_FOUND',
      statusCode,
      message,
      ...listedFields,
      ...(/^<.*>$/.test(value!) ? {} : { value: value! }),
      field: field!,
      object: object!,
    };
  }
  const code =
    (statusCode && isHcErrorCode(statusCode) ? statusCode : codeFromMessage(message)) ?? 'UNKNOWN';
  return { code, statusCode, message, ...listedFields, ...detailsFromMessage(message) };
}

/** Texts a rememberingParser holds at most; full, it starts over. */
export const RECENT_TEXTS = 1_000;

/**
 * parseHcError, remembering the texts it parsed lately: a failed batch leaves one text on
 * thousands of rows, and a parse takes some 5 µs. One per entity's classification (not one per
 * process, which would outlive what it serves). Each result is frozen, fields and all, as one is
 * handed to every row with its text; a text past MAX_PARSED_LENGTH is parsed each time, not kept.
 */
export function rememberingParser(
  limit: number = RECENT_TEXTS,
): (text: string | null | undefined) => HcError | null {
  const recent = new Map<string, HcError | null>();
  return (text) => {
    if (text === null || text === undefined || text.length > MAX_PARSED_LENGTH)
      return parseHcError(text);
    const known = recent.get(text);
    if (known !== undefined) return known;
    const parsed = frozen(parseHcError(text));
    if (recent.size >= limit) recent.clear();
    recent.set(text, parsed);
    return parsed;
  };
}

function frozen(error: HcError | null): HcError | null {
  if (error?.fields) Object.freeze(error.fields);
  return error && Object.freeze(error);
}

/**
 * The first word of the text that is a status code of the taxonomy: Apex and Bulk wrap the code
 * in prose (`Insert failed. First exception on row 0; first error: CODE, …`), and when errors
 * nest the outermost, first, is what failed this write.
 */
function codeInText(text: string): string | undefined {
  for (const [word] of text.matchAll(/[A-Za-z][A-Za-z0-9_]*/g)) {
    if (word !== 'UNKNOWN' && isHcErrorCode(word)) return word;
  }
  return undefined;
}

/** Apex's field list, `CODE, message: [fields]`, where the code sits inside a longer text. */
function fieldsAfter(text: string, code: string | undefined): string[] | undefined {
  if (!code) return undefined;
  const after = text.slice(text.indexOf(code) + code.length);
  const list = /^\s*,[\s\S]*?:\s*\[([^\]]*)\](?:\s*$|[:\s])/.exec(after);
  return list ? splitFields(list[1]!) : undefined;
}
