import { splitFields } from './error-messages.js';

/** What the wrapping of an error text says: its message, status code and field list. */
export interface Unwrapped {
  readonly message: string;
  readonly statusCode: string | undefined;
  readonly fields: string[] | undefined;
}

/**
 * Real errors nest two or three levels; anything deeper is garbage and is read as plain text (not
 * recursed into until the stack overflows).
 */
const MAX_NESTING = 8;

/**
 * The message and status code inside whatever wrapping the text came in: JSON (or the Python
 * repr of it that simple-salesforce prints), a SOAP fault's XML, Bulk CSV `CODE:message:fields --`
 * and Apex `CODE, message: [fields]`.
 */
export function unwrap(raw: string, depth = 0): Unwrapped {
  // firstError gives up past MAX_NESTING, and on anything that is not JSON.
  const first = firstError(tryJson(raw), depth + 1);
  if (first) return first;
  const soap = soapError(raw);
  if (soap) return soap;
  const bulk = /^([A-Z][A-Z0-9_]{2,}[A-Z0-9]):([\s\S]*?):([\w, ]*?)\s?--$/.exec(raw);
  if (bulk) {
    const fields = splitFields(bulk[3]!);
    return {
      statusCode: bulk[1],
      message: bulk[2]!.trim(),
      fields: fields.length ? fields : undefined,
    };
  }
  // Apex `CODE, message: [fields]`, and the rest of Bulk CSV's.
  const prefixed = /^([A-Z][A-Z0-9_]{2,}[A-Z0-9])\s*[:,]\s*([\s\S]*?)$/.exec(raw);
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

function firstError(value: unknown, depth: number): Unwrapped | undefined {
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
    return fromPythonRepr(raw);
  }
}
// Stryker restore ConditionalExpression,Regex,BlockStatement

/**
 * `{'errors': [{'statusCode': 'X', 'message': '…'}]}`: Python's repr of the JSON, as
 * simple-salesforce users paste it. Read only when every quote is a plain single quote around a
 * string without one inside; anything else stays text.
 */
function fromPythonRepr(raw: string): unknown {
  if (!/^[[{]\s*[{']/.test(raw) || raw.includes('"')) return undefined;
  const json = raw
    .replace(/'([^'\\\n]*)'/g, '"$1"')
    .replace(/\b(True|False|None)\b/g, (word) => PYTHON_LITERALS[word]!);
  try {
    return JSON.parse(json) as unknown;
    // Stryker disable next-line BlockStatement: equivalent, an empty catch returns undefined too
  } catch {
    return undefined;
  }
}

const PYTHON_LITERALS: Readonly<Record<string, string>> = {
  True: 'true',
  False: 'false',
  None: 'null',
};

/** A SOAP fault's `<errors>`: `<fields>`, `<message>`, `<statusCode>`, in any order. */
function soapError(raw: string): Unwrapped | undefined {
  const tag = (name: string) =>
    [...raw.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!.trim());
  const [message] = tag('message');
  const [statusCode] = tag('statusCode');
  if (message === undefined || statusCode === undefined) return undefined;
  const fields = tag('fields').filter(Boolean);
  return { message, statusCode, fields: fields.length ? fields : undefined };
}
