import type { HcErrorCode } from './error-taxonomy.js';

/**
 * What Salesforce's messages say, for the texts that arrive without a status code (Connect's own
 * messages, a trigger log's `sf_message`, messages copied out of a UI) and for the details a code
 * alone does not carry. Every pattern here is the wording of texts in fixtures/hc-errors.
 */
export interface ErrorDetails {
  /** The value Salesforce rejected or could not find (an external ID, an id, a picklist value). */
  readonly value?: string;
  /** The one field the message names, by label or API name as Salesforce wrote it. */
  readonly field?: string;
  /** The object the message names. */
  readonly object?: string;
  /** The fields the error lists. */
  readonly fields?: readonly string[];
  /** DUPLICATE_VALUE: the Salesforce id of the record that already holds the value. */
  readonly duplicateOf?: string;
}

/** A Salesforce record id, 15 or 18 characters. */
const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/** Connect's own text for a lookup whose parent is not in Salesforce yet. */
export const FOREIGN_KEY_MESSAGE =
  /Foreign key external ID:\s*(.*?)\s+not found for field\s+(\S+?)\s+in entity\s+(\w+)/i;

/** Code-less messages, first match wins: the more specific wording before the general. */
const MESSAGE_CODES: readonly (readonly [RegExp, HcErrorCode])[] = [
  [/duplicate value found/i, 'DUPLICATE_VALUE'],
  [/Required fields are missing/i, 'REQUIRED_FIELD_MISSING'],
  [/owner is inactive|inactive (?:owner|user)/i, 'INACTIVE_OWNER_OR_USER'],
  [/bad value for restricted picklist/i, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'],
  [/DML operation on setup object/i, 'MIXED_DML_OPERATION'],
  [/Cannot deserialize/i, 'JSON_PARSER_ERROR'],
  [/No such column/i, 'INVALID_FIELD'],
  [
    /creating a duplicate|use an existing record instead|Use one of these records\?/i,
    'DUPLICATES_DETECTED',
  ],
  [
    /Unable to create\/update fields|bad field names on insert\/update/i,
    'INVALID_FIELD_FOR_INSERT_UPDATE',
  ],
  [
    /insufficient access rights on cross-reference id/i,
    'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
  ],
  [/insufficient access rights on object id/i, 'INSUFFICIENT_ACCESS_OR_READONLY'],
  [/insufficient access rights|insufficient privileges|permission denied/i, 'INSUFFICIENT_ACCESS'],
  [
    /Apex trigger \S+ caused an unexpected exception|execution of \w+\s+caused by/i,
    'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
  ],
  [/entity type cannot be inserted/i, 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY'],
  [/Record Currently Unavailable|unable to obtain exclusive access/i, 'UNABLE_TO_LOCK_ROW'],
  [
    /external ID (?:provided )?matches more than one|Duplicate external id specified/i,
    'DUPLICATE_EXTERNAL_ID',
  ],
  [/value not of required type/i, 'INVALID_TYPE_ON_FIELD_IN_RECORD'],
  [
    /field integrity exception|recognize the state value|Unable to load specified entity/i,
    'FIELD_INTEGRITY_EXCEPTION',
  ],
  [/malformed id|id value of incorrect type/i, 'MALFORMED_ID'],
  [/entity is deleted/i, 'ENTITY_IS_DELETED'],
  [/entity is locked/i, 'ENTITY_IS_LOCKED'],
  [/does not match filter criteria/i, 'FIELD_FILTER_VALIDATION_EXCEPTION'],
  [
    /invalid cross reference id|this ID value isn't valid for the user/i,
    'INVALID_CROSS_REFERENCE_KEY',
  ],
  [/data value too large/i, 'STRING_TOO_LONG'],
  [/invalid email address|email address "[^"]*" is not valid/i, 'INVALID_EMAIL_ADDRESS'],
  [/value outside of valid range/i, 'NUMBER_OUTSIDE_VALID_RANGE'],
  [/query request was running (?:for )?too long|query timed out/i, 'QUERY_TIMEOUT'],
  [/server (?:is )?too busy|(?:service|server) unavailable/i, 'SERVER_UNAVAILABLE'],
  [/\bLimit exceeded\b/i, 'REQUEST_LIMIT_EXCEEDED'],
  [/Exceeded max size limit/i, 'ClientInputError'],
  [/Transaction Security policy|security policy/i, 'TXN_SECURITY_NO_ACCESS'],
  [/API is (?:not enabled|disabled) for this (?:user|Organization)/i, 'API_CURRENTLY_DISABLED'],
  [/Invalid entity type provided/i, 'INVALID_INPUT'],
  [/Provided external ID field does not exist|requested resource does not exist/i, 'NOT_FOUND'],
  [/invalid record id; no recycle bin entry/i, 'INVALID_ID_FIELD'],
  [/password has expired/i, 'INVALID_OPERATION_WITH_EXPIRED_PASSWORD'],
  [/No applicable approval process/i, 'NO_APPLICABLE_PROCESS'],
  [/new owner must have read permission/i, 'TRANSFER_REQUIRES_READ'],
  [/cannot reference converted lead/i, 'CANNOT_UPDATE_CONVERTED_LEAD'],
  [/An unexpected error occurred\. Please include this ErrorId/i, 'UNKNOWN_EXCEPTION'],
];

export function codeFromMessage(message: string): HcErrorCode | undefined {
  return MESSAGE_CODES.find(([pattern]) => pattern.test(message))?.[1];
}

type Extract = (match: RegExpExecArray) => ErrorDetails;

/** A label as Salesforce prints it before its message: words, no colon, dot or bracket. */
const LABEL = String.raw`([^:;,.\[\]\n]+?)`;

/** `Label: <wording>: value`, the shape of most field-level messages. */
function labelled(wording: string, value: string): RegExp {
  return new RegExp(`${LABEL}:\\s*${wording}${value}`, 'im');
}

/** Details by wording, each pattern adding what it knows and never overriding an earlier one. */
const DETAILS: readonly (readonly [RegExp, Extract])[] = [
  [
    /duplicate value found:\s*(\S*?)\s*duplicates value on record with(?: id:\s*(\w*))?/i,
    (m) => ({ ...known('field', m[1]), ...salesforceId('duplicateOf', m[2]) }),
  ],
  [/Required fields are missing:\s*\[([^\]]*)\]/i, (m) => listed(m[1]!)],
  [
    labelled('data value too large', String.raw`(?::\s*([\s\S]*?)\s*\(max length=\d+\))?`),
    (m) => ({ field: m[1]!.trim(), ...known('value', m[2]) }),
  ],
  [
    // A picklist value ends the line, or where Salesforce goes on with a field list or a sentence.
    labelled(
      'bad value for restricted picklist field:?',
      String.raw`[ \t]*(.*?)(?=$|:|\[|\. [A-Z])`,
    ),
    (m) => ({ field: m[1]!.trim(), ...known('value', m[2]) }),
  ],
  [
    labelled('invalid email address:', String.raw`\s*([^:\n"(]*[^:\n"(\s])`),
    (m) => ({ field: m[1]!.trim(), value: m[2]! }),
  ],
  [
    labelled('id value of incorrect type:', String.raw`\s*(\S+)`),
    (m) => ({ field: m[1]!.trim(), value: m[2]! }),
  ],
  [
    labelled('value outside of valid range on numeric field:', String.raw`\s*([^:\s]+)`),
    (m) => ({ field: m[1]!.trim(), value: m[2]! }),
  ],
  [labelled('value not of required type', ''), (m) => ({ field: m[1]!.trim() })],
  [
    labelled("this ID value isn't valid for the user:", String.raw`[ \t]*(\w*)`),
    (m) => ({ field: m[1]!.trim(), ...known('value', m[2]) }),
  ],
  [
    /No such column '([^']+)' on (?:entity|sobject of type) '?(\w+)'?/i,
    (m) => ({ field: m[1]!, object: m[2]! }),
  ],
  [/malformed id:?\s+(\w+)/i, (m) => ({ value: m[1]! })],
  [/email address "([^"]*)" is not valid/i, (m) => ({ value: m[1]! })],
  [
    /Cannot deserialize instance of \w+ from \w+ value (.+?) or request may be missing/i,
    (m) => ({ value: m[1]! }),
  ],
  [/Unable to load specified entity\s+(\w+)/i, (m) => ({ value: m[1]! })],
  [/Duplicate id specified:\s*(\w+)/i, (m) => ({ value: m[1]! })],
  [
    /insufficient access rights on cross-reference id:\s*(\w+)/i,
    (m) => salesforceId('value', m[1]),
  ],
  [
    /unable to obtain exclusive access to this record or 1 records:\s*(\w+)/i,
    (m) => salesforceId('value', m[1]),
  ],
  [/Unable to create\/update fields:\s*(\w[^.]*)\./i, (m) => listed(m[1]!)],
  [
    /Provided external ID field does not exist or is not accessible:\s*(\S+)/i,
    (m) => ({ field: m[1]! }),
  ],
  [
    /Field name provided, (\S+?),? does not match an External ID.*? for (\w+)/i,
    (m) => ({ field: m[1]!, object: m[2]! }),
  ],
  [/Field name not found\s*:\s*(\w+)/i, (m) => ({ field: m[1]! })],
  [/Invalid reference (\S+) of type/i, (m) => ({ field: m[1]! })],
  [/recognize the state value for field:\s*([^\n]+?)\s*$/im, (m) => ({ field: m[1]! })],
  [/In field:\s*(\w+)/i, (m) => ({ field: m[1]! })],
  [
    /(\w+): bad field names on insert\/update call:\s*(\w[\w, ]*)/i,
    (m) => ({ object: m[1]!, ...listed(m[2]!) }),
  ],
  [/Invalid entity type provided in the request:\s*(\w+)/i, (m) => ({ object: m[1]! })],
  [/Entity '([^']+)' is not supported/i, (m) => ({ object: m[1]! })],
  [/sObject type '(\w+)' is not supported/i, (m) => ({ object: m[1]! })],
  [/Invalid Id for entity type '(\w+)'/i, (m) => ({ object: m[1]! })],
  [/external foreign key reference in entity:\s*(\w+)/i, (m) => ({ object: m[1]! })],
];

/** Everything the message's wording tells beyond its code. */
export function detailsFromMessage(message: string): ErrorDetails {
  let details: ErrorDetails = {};
  for (const [pattern, extract] of DETAILS) {
    const match = pattern.exec(message);
    if (match) details = { ...extract(match), ...details };
  }
  return details;
}

/**
 * Salesforce masks what the integration user may not see as `<unknown>`, and a pasted error
 * stands in `<…>` for what its author left out: no detail at all.
 */
function known(key: 'field' | 'value', text: string | undefined): ErrorDetails {
  const value = text?.trim();
  return value && !/^<[\s\S]*>$/.test(value) ? { [key]: value } : {};
}

function salesforceId(key: 'duplicateOf' | 'value', text: string | undefined): ErrorDetails {
  return text && SALESFORCE_ID.test(text) ? { [key]: text } : {};
}

function listed(list: string): ErrorDetails {
  const fields = splitFields(list);
  return fields.length ? { fields } : {};
}

export function splitFields(list: string): string[] {
  return list
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}
