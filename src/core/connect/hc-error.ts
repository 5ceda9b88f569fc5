/**
 * Turns Heroku Connect's `_hc_err` (documented as JSON, often plain text) or a
 * trigger-log `sf_message` into a structured Salesforce error code. Shapes seen
 * in the wild: REST JSON `{"message","errorCode"}`, arrays
 * of `{"message","statusCode","fields"}`, Bulk CSV `CODE:message:--`, Apex
 * `CODE, message: [fields]`, and bare messages with no code at all.
 */
export const HC_ERROR_CODES = [
  'FOREIGN_KEY_NOT_FOUND',
  'DUPLICATE_VALUE',
  'REQUIRED_FIELD_MISSING',
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'INVALID_CROSS_REFERENCE_KEY',
  'UNABLE_TO_LOCK_ROW',
  'ENTITY_IS_DELETED',
  'INSUFFICIENT_ACCESS',
  'STRING_TOO_LONG',
  'UNKNOWN',
] as const;
export type HcErrorCode = (typeof HC_ERROR_CODES)[number];

export interface HcError {
  readonly code: HcErrorCode;
  /**
   * Salesforce's own status code when the text carried one (e.g. INVALID_FIELD for a missing
   * foreign key).
   */
  readonly statusCode: string | undefined;
  readonly message: string;
  /**
   * FOREIGN_KEY_NOT_FOUND: the external ID value, the field and the parent object it was looked up
   * in.
   */
  readonly value?: string;
  readonly field?: string;
  readonly object?: string;
  /** REQUIRED_FIELD_MISSING, or the fields a validation named. */
  readonly fields?: readonly string[];
  /** DUPLICATE_VALUE: the Salesforce id of the record that already holds the value. */
  readonly duplicateOf?: string;
}

export const HC_ERROR_HINTS: Readonly<Record<HcErrorCode, string>> = {
  FOREIGN_KEY_NOT_FOUND:
    'the parent reached Salesforce after this row; ' +
    'once the parent has an sfid, delete the sfid-NULL row and insert it again',
  DUPLICATE_VALUE:
    'Salesforce already holds a record with this value; it is often this very row, ' +
    'committed before Connect lost the reply: check before retrying',
  REQUIRED_FIELD_MISSING:
    'a required Salesforce field is empty: ' +
    'fix the source data or the mapping, then write the row again',
  FIELD_CUSTOM_VALIDATION_EXCEPTION:
    'a Salesforce validation rule rejected the values: ' +
    'fix the data (or the rule), then write the row again',
  INVALID_CROSS_REFERENCE_KEY:
    'a lookup holds an id Salesforce does not know: fix the reference, then write the row again',
  UNABLE_TO_LOCK_ROW: 'Salesforce was busy with a related record: transient, safe to retry now',
  ENTITY_IS_DELETED:
    'the Salesforce record was deleted: terminal, decide whether the row should exist at all',
  INSUFFICIENT_ACCESS:
    "Connect's integration user may not write this object or field: " +
    'grant access in Salesforce, then retry',
  STRING_TOO_LONG:
    'a value is longer than the Salesforce field allows: ' +
    'shorten it in the source or widen the field',
  UNKNOWN: 'unrecognised error: read the full text and the trigger log entry',
};

interface Pattern {
  code: HcErrorCode;
  test: RegExp;
  details?: (match: RegExpExecArray) => Partial<HcError>;
}

const PATTERNS: readonly Pattern[] = [
  {
    code: 'FOREIGN_KEY_NOT_FOUND',
    test: /Foreign key external ID:\s*(.*?)\s+not found for field\s+(\S+?)\s+in entity\s+([A-Za-z0-9_]+)/i,
    details: (m) => ({ value: m[1]!, field: m[2]!, object: m[3]! }),
  },
  {
    code: 'DUPLICATE_VALUE',
    test: /duplicate value found:\s*(\S+)\s+duplicates value on record with id:\s*([A-Za-z0-9]{15,18})/i,
    details: (m) => ({ field: m[1]!, duplicateOf: m[2]! }),
  },
  {
    code: 'REQUIRED_FIELD_MISSING',
    test: /Required fields are missing:\s*\[([^\]]*)\]/i,
    details: (m) => ({ fields: splitFields(m[1]!) }),
  },
  { code: 'UNABLE_TO_LOCK_ROW', test: /unable to obtain exclusive access to this record/i },
  { code: 'ENTITY_IS_DELETED', test: /entity is deleted/i },
  { code: 'INVALID_CROSS_REFERENCE_KEY', test: /invalid cross reference id/i },
  {
    code: 'INSUFFICIENT_ACCESS',
    test: /insufficient access rights|permission denied|insufficient privileges/i,
  },
  { code: 'STRING_TOO_LONG', test: /data value too large/i },
];

/** Salesforce status codes that name our code directly, and the ones that are a family of it. */
const STATUS_CODES: Readonly<Record<string, HcErrorCode>> = {
  DUPLICATE_VALUE: 'DUPLICATE_VALUE',
  DUPLICATE_EXTERNAL_ID: 'DUPLICATE_VALUE',
  REQUIRED_FIELD_MISSING: 'REQUIRED_FIELD_MISSING',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  FIELD_INTEGRITY_EXCEPTION: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  INVALID_CROSS_REFERENCE_KEY: 'INVALID_CROSS_REFERENCE_KEY',
  UNABLE_TO_LOCK_ROW: 'UNABLE_TO_LOCK_ROW',
  ENTITY_IS_DELETED: 'ENTITY_IS_DELETED',
  INSUFFICIENT_ACCESS: 'INSUFFICIENT_ACCESS',
  INSUFFICIENT_ACCESS_OR_READONLY: 'INSUFFICIENT_ACCESS',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'INSUFFICIENT_ACCESS',
  STRING_TOO_LONG: 'STRING_TOO_LONG',
};

export const MAX_PARSED_LENGTH = 16_384;

/** null for an empty error; otherwise always a result, UNKNOWN when nothing matches. */
export function parseHcError(text: string | null | undefined): HcError | null {
  // Salesforce's messages are short; past this, the text is garbage (the full text stays in the
  // report's hcErr).
  const raw = text?.trim().slice(0, MAX_PARSED_LENGTH);
  if (!raw) return null;
  const { message, statusCode, fields } = unwrap(raw);
  for (const pattern of PATTERNS) {
    const match = pattern.test.exec(message);
    if (match)
      return {
        code: pattern.code,
        statusCode,
        message,
        ...(fields ? { fields } : {}),
        ...pattern.details?.(match),
      };
  }
  const code = (statusCode ? STATUS_CODES[statusCode] : undefined) ?? 'UNKNOWN';
  return { code, statusCode, message, ...(fields ? { fields } : {}) };
}

/**
 * Real errors nest two or three levels; anything deeper is garbage and is read as plain text (not
 * recursed into until the stack overflows).
 */
const MAX_NESTING = 8;

/** The message and status code inside whatever wrapping the text came in. */
function unwrap(
  raw: string,
  depth = 0,
): { message: string; statusCode: string | undefined; fields: string[] | undefined } {
  // firstError gives up past MAX_NESTING, and on anything that is not JSON.
  const first = firstError(tryJson(raw), depth + 1);
  if (first) return first;
  // Bulk CSV `CODE:message:--` and Apex `CODE, message: [fields]`.
  const prefixed = /^([A-Z][A-Z0-9_]{2,}[A-Z0-9])\s*[:,]\s*([\s\S]*?)(?::--)?$/.exec(raw);
  if (prefixed) {
    // A validation rule's message may run over several lines; its field list ends the last.
    // Stryker disable next-line Regex: equivalent, a lazy match from the start finds any match
    const apexFields = /^([\s\S]*?):\s*\[([^\]]*)\]$/.exec(prefixed[2]!);
    if (apexFields && prefixed[1] !== 'REQUIRED_FIELD_MISSING') {
      return {
        statusCode: prefixed[1],
        message: apexFields[1]!.trim(),
        fields: splitFields(apexFields[2]!),
      };
    }
    return { statusCode: prefixed[1], message: prefixed[2]!.trim(), fields: undefined };
  }
  return { message: raw, statusCode: undefined, fields: undefined };
}

function firstError(
  value: unknown,
  depth: number,
): { message: string; statusCode: string | undefined; fields: string[] | undefined } | undefined {
  if (depth > MAX_NESTING) return undefined;
  if (Array.isArray(value)) return firstError(value[0], depth + 1);
  if (typeof value === 'string') return unwrap(value, depth);
  // A JSON number or boolean has none of the keys read below: the type test only narrows the type.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const nested of ['errors', 'error']) {
    if (record[nested] && typeof record[nested] === 'object')
      return firstError(record[nested], depth + 1);
  }
  const message = [record.message, record.msg, record.sf_message].find(
    (m): m is string => typeof m === 'string',
  );
  if (message === undefined) return undefined;
  const code = [record.errorCode, record.statusCode, record.code].find(
    (c): c is string => typeof c === 'string',
  );
  const fields = Array.isArray(record.fields)
    ? record.fields.filter((f): f is string => typeof f === 'string')
    : undefined;
  const inner = unwrap(message, depth);
  return {
    message: inner.message,
    statusCode: code ?? inner.statusCode,
    fields: fields?.length ? fields : inner.fields,
  };
}

// The first test only spares plain text a thrown SyntaxError; JSON.parse rejects it all the same,
// and an empty catch returns undefined too.
// Stryker disable ConditionalExpression,Regex,BlockStatement: equivalent, see above
function tryJson(raw: string): unknown {
  if (!/^[[{"]/.test(raw)) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
// Stryker restore ConditionalExpression,Regex,BlockStatement

function splitFields(list: string): string[] {
  return list
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}
