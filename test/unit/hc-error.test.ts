import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_TAXONOMY, HC_ERROR_CODES } from '../../src/core/connect/error-taxonomy.js';
import { MAX_PARSED_LENGTH, parseHcError } from '../../src/core/connect/hc-error.js';
import { ROOT } from '../support/paths.js';

// Message shapes seen in real Connect databases and public code, in the wrappings they arrive in.
const CASES: [string, string, Record<string, unknown>][] = [
  [
    'FK, bare text as in the editor-api incident',
    'Foreign key external ID: 0f8fad5b-d9cb-469f-a165-70867728950e ' +
      'not found for field EditorUUID__c in entity Editor__c',
    {
      code: 'FOREIGN_KEY_NOT_FOUND',
      value: '0f8fad5b-d9cb-469f-a165-70867728950e',
      field: 'EditorUUID__c',
      object: 'Editor__c',
      statusCode: undefined,
    },
  ],
  [
    'FK, REST JSON with errorCode',
    '{"message":"Foreign key external ID: 42 not found for field Pi_Accounts_Unique_ID__c ' +
      'in entity Contact","errorCode":"INVALID_FIELD"}',
    {
      code: 'FOREIGN_KEY_NOT_FOUND',
      value: '42',
      field: 'Pi_Accounts_Unique_ID__c',
      object: 'Contact',
      statusCode: 'INVALID_FIELD',
    },
  ],
  [
    'FK, Bulk CSV form with code prefix and :-- suffix',
    'INVALID_FIELD:Foreign key external ID: abc-1 ' +
      'not found for field ClassroomUUID__c in entity Classroom__c:--',
    {
      code: 'FOREIGN_KEY_NOT_FOUND',
      value: 'abc-1',
      field: 'ClassroomUUID__c',
      object: 'Classroom__c',
      statusCode: 'INVALID_FIELD',
    },
  ],
  [
    'FK, JSON array of errors',
    '[{"message":"Foreign key external ID: x9 not found for field ExtId__c in entity Account",' +
      '"statusCode":"INVALID_FIELD","fields":[]}]',
    { code: 'FOREIGN_KEY_NOT_FOUND', value: 'x9', object: 'Account' },
  ],
  [
    'duplicate value',
    'duplicate value found: ' +
      'Affiliation_ID__c duplicates value on record with id: a0Q9D000005zjF0UAI',
    { code: 'DUPLICATE_VALUE', field: 'Affiliation_ID__c', duplicateOf: 'a0Q9D000005zjF0UAI' },
  ],
  [
    'duplicate value, JSON with status code only',
    '{"errors":[{"message":"duplicate external id","statusCode":"DUPLICATE_VALUE"}]}',
    { code: 'DUPLICATE_VALUE', statusCode: 'DUPLICATE_VALUE' },
  ],
  [
    'required field, Bulk form',
    'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName, Company]:--',
    { code: 'REQUIRED_FIELD_MISSING', fields: ['LastName', 'Company'] },
  ],
  [
    'required field, bare',
    'Required fields are missing: [LastName]',
    { code: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] },
  ],
  [
    'validation rule, Apex-wrapped',
    'FIELD_CUSTOM_VALIDATION_EXCEPTION, Classroom title must not be blank: [ClassroomTitle__c]',
    {
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Classroom title must not be blank',
      fields: ['ClassroomTitle__c'],
    },
  ],
  [
    'validation rule, JSON',
    '{"message":"Website must start with https","errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION"}',
    { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
  ],
  ['lock', 'unable to obtain exclusive access to this record', { code: 'UNABLE_TO_LOCK_ROW' }],
  [
    'lock, with code',
    'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record ' +
      'or 1 records: a0n000000000001:--',
    { code: 'UNABLE_TO_LOCK_ROW', statusCode: 'UNABLE_TO_LOCK_ROW' },
  ],
  ['deleted', 'entity is deleted', { code: 'ENTITY_IS_DELETED' }],
  [
    'cross reference',
    'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--',
    { code: 'INVALID_CROSS_REFERENCE_KEY' },
  ],
  ['permissions', 'Permission Denied', { code: 'INSUFFICIENT_ACCESS' }],
  [
    'access rights',
    'INSUFFICIENT_ACCESS_OR_READONLY:insufficient access rights on object id:--',
    { code: 'INSUFFICIENT_ACCESS_OR_READONLY', statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY' },
  ],
  [
    'too long',
    'STRING_TOO_LONG:Name: data value too large: ' +
      'Springfield Elementary and Middle School (max length=80):--',
    { code: 'STRING_TOO_LONG' },
  ],
  [
    'too long, bare',
    'Classroom Title: data value too large: aaaa (max length=255)',
    { code: 'STRING_TOO_LONG' },
  ],
  [
    'unknown code keeps its status code',
    'SOME_FUTURE_CODE:a message nobody has seen:--',
    { code: 'UNKNOWN', statusCode: 'SOME_FUTURE_CODE', message: 'a message nobody has seen' },
  ],
  [
    'a code the taxonomy lacks, its message known',
    'OWNER_INACTIVE:owner is inactive, cannot reparent record:--',
    {
      code: 'INACTIVE_OWNER_OR_USER',
      statusCode: 'OWNER_INACTIVE',
      message: 'owner is inactive, cannot reparent record',
    },
  ],
  [
    'unknown text',
    'something odd happened',
    { code: 'UNKNOWN', message: 'something odd happened' },
  ],
  ['broken JSON is read as text', '{"message": "entity is deleted"', { code: 'ENTITY_IS_DELETED' }],
];

describe('parseHcError', () => {
  it.each(CASES)('%s', (_label, text, expected) => {
    expect(parseHcError(text)).toMatchObject(expected);
  });

  // A message rebuilt from parts, or wrapped by a logger, can carry runs of spaces and line
  // breaks where Salesforce wrote one space; the value and names must still come out whole.
  it.each([
    [
      'Foreign key external ID:  k-1 \n not found for field\tParent__c  in entity \n Account',
      { code: 'FOREIGN_KEY_NOT_FOUND', value: 'k-1', field: 'Parent__c', object: 'Account' },
    ],
    [
      'duplicate value found:  Email__c \n duplicates value on record with id:  0015g00000ABCDEAAA',
      { code: 'DUPLICATE_VALUE', field: 'Email__c', duplicateOf: '0015g00000ABCDEAAA' },
    ],
    [
      'Required fields are missing:  [LastName]',
      { code: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] },
    ],
  ])('reads %j through runs of whitespace', (text, expected) => {
    expect(parseHcError(text)).toMatchObject(expected);
  });

  // Issue 21, point 5: each of these parsed as UNKNOWN before.
  it('reads a duplicate whose field and record Salesforce masked as a duplicate, no more', () => {
    const text = 'duplicate value found: <unknown> duplicates value on record with id: <unknown>';
    expect(parseHcError(text)).toEqual({
      code: 'DUPLICATE_VALUE',
      statusCode: undefined,
      message: text,
    });
  });

  it('reads the "owner is inactive" write error that Connect documents', () => {
    const text = 'owner is inactive, cannot reparent record';
    expect(parseHcError(text)).toMatchObject({ code: 'INACTIVE_OWNER_OR_USER' });
  });

  it('reads a field-level-security refusal, with the fields it names', () => {
    const text =
      'Unable to create/update fields: AccountId, OwnerId. Please check the security settings ' +
      'of this field and verify that it is read/write for your profile or permission set.';
    expect(parseHcError(text)).toMatchObject({
      code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['AccountId', 'OwnerId'],
    });
  });

  it('returns null when there is no error text', () => {
    expect(parseHcError(null)).toBeNull();
    expect(parseHcError('   ')).toBeNull();
  });

  it('has a one-line hint for every code', () => {
    for (const code of HC_ERROR_CODES) {
      expect(ERROR_TAXONOMY[code].hint).toMatch(/^[^\n]{20,}$/);
    }
  });
});

describe('parseHcError on hostile text (fast-check, fixed seeds)', () => {
  it('never throws, on any text or any JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => void parseHcError(text)),
      { seed: 11, numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 8 }),
        (value) => void parseHcError(JSON.stringify(value)),
      ),
      { seed: 11, numRuns: 3000 },
    );
  });

  it('reads JSON nested far too deep as plain text instead of overflowing the stack', () => {
    const nested = (depth: number) =>
      `${'['.repeat(depth)}"Foreign key external ID: x ` +
      `not found for field F__c in entity E__c"${']'.repeat(depth)}`;
    // The message is still found in the text itself...
    expect(parseHcError(nested(5_000))).toMatchObject({
      code: 'FOREIGN_KEY_NOT_FOUND',
      field: 'F__c',
      object: 'E__c',
    });
    // ...unless it lies beyond what is parsed.
    expect(parseHcError(nested(100_000))).toMatchObject({ code: 'UNKNOWN' });
    expect(parseHcError(`${'{"errors":'.repeat(3_000)}1${'}'.repeat(3_000)}`)).toMatchObject({
      code: 'UNKNOWN',
    });
  });

  it('parses only the start of a megabyte of text, so no pattern backtracks over all of it', () => {
    const huge = `INVALID_FIELD:${'Foreign key external ID: x '.repeat(40_000)}`;
    expect(huge.length).toBeGreaterThan(1_000_000);
    const parsed = parseHcError(huge)!;
    expect(parsed.message.length).toBeLessThanOrEqual(MAX_PARSED_LENGTH);
  });
});

// Salesforce puts one space between the words of its texts; a value from the data, or a text a
// wrapper re-flowed, can bring more, and none of it belongs to a parsed field. The texts are the
// shapes in the Heroku Connect research notes (shared/research/heroku-connect.md, 2.3).
const SPACED = [
  {
    label: 'FK (editor-api incident, Connect PR #850)',
    text: 'Foreign key external ID:  x9  not found for field  ExtId__c  in entity  Account',
    expected: { code: 'FOREIGN_KEY_NOT_FOUND', value: 'x9', field: 'ExtId__c', object: 'Account' },
  },
  {
    label: 'duplicate value (Heroku Connect docs on write errors)',
    text: 'duplicate value found:  Ext__c  duplicates value on record with id:  a0Q9D000005zjF0UAI',
    expected: { code: 'DUPLICATE_VALUE', field: 'Ext__c', duplicateOf: 'a0Q9D000005zjF0UAI' },
  },
  {
    label: 'required field (public Connect code)',
    text: 'Required fields are missing:  [LastName]',
    expected: { code: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] },
  },
  {
    // An admin's validation text may end in a space.
    label: 'validation rule, Apex form',
    text: 'FIELD_CUSTOM_VALIDATION_EXCEPTION, Title must not be blank :  [Title__c]',
    expected: { message: 'Title must not be blank', fields: ['Title__c'] },
  },
  {
    label: 'validation rule, Bulk form',
    text: 'FIELD_CUSTOM_VALIDATION_EXCEPTION:Title must not be blank :--',
    expected: { message: 'Title must not be blank' },
  },
];

describe('parseHcError reads values, not the whitespace around them', () => {
  it.each(SPACED)('$label', ({ text, expected }) => {
    expect(parseHcError(text)).toMatchObject(expected);
  });
});

describe('parseHcError: where a status code and a field list come from', () => {
  it('finds a status code inside the text, but not in an exception name', () => {
    // System.DmlException's message, as an Apex trigger passes it on.
    const failed = 'Insert failed. First exception on row 0; first error:';
    const dml = `${failed} ENTITY_IS_DELETED, entity is deleted: [Name]`;
    expect(parseHcError(dml)).toEqual({
      code: 'ENTITY_IS_DELETED',
      statusCode: 'ENTITY_IS_DELETED',
      message: dml,
      fields: ['Name'],
    });
    // An exception's name starts in capitals, but it is not a code.
    const apex = 'JSONException: Unexpected end-of-input';
    expect(parseHcError(apex)).toEqual({ code: 'UNKNOWN', statusCode: undefined, message: apex });
  });

  it('leaves the field list in the text of a required-field error, which names them itself', () => {
    const text = 'REQUIRED_FIELD_MISSING, Required fields are missing: [LastName]';
    expect(parseHcError(text)).toEqual({
      code: 'REQUIRED_FIELD_MISSING',
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [LastName]',
      fields: ['LastName'],
    });
  });

  it('reads a field list only at the very end of the message', () => {
    const text = 'FIELD_CUSTOM_VALIDATION_EXCEPTION, Postcode must match: [0-9]{5}';
    expect(parseHcError(text)).toEqual({
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Postcode must match: [0-9]{5}',
    });
  });

  it('keeps every line of a multi-line message, its field list split off the last', () => {
    const text = 'FIELD_CUSTOM_VALIDATION_EXCEPTION, Check the address.\nZip is missing: [Zip__c]';
    expect(parseHcError(text)).toMatchObject({
      message: 'Check the address.\nZip is missing',
      fields: ['Zip__c'],
    });
  });

  it('reads an empty field list as no fields', () => {
    const parsed = parseHcError('REQUIRED_FIELD_MISSING:Required fields are missing: []:--');
    expect(parsed).toMatchObject({ code: 'REQUIRED_FIELD_MISSING' });
    expect(parsed).not.toHaveProperty('fields');
  });
});

describe('parseHcError on JSON', () => {
  const lock = 'unable to obtain exclusive access to this record';
  const inactive = {
    message: 'owner is inactive, cannot reparent record',
    errorCode: 'INACTIVE_OWNER_OR_USER',
  };

  it('keeps the fields a REST error lists, also when its text names the code', () => {
    // Salesforce REST errors are [{"message","errorCode","fields"}].
    const message = 'Name: data value too large: Springfield Elementary (max length=10)';
    const text = JSON.stringify([{ message, errorCode: 'STRING_TOO_LONG', fields: ['Name'] }]);
    expect(parseHcError(text)).toEqual({
      code: 'STRING_TOO_LONG',
      statusCode: 'STRING_TOO_LONG',
      message,
      fields: ['Name'],
      field: 'Name',
      value: 'Springfield Elementary',
    });
  });

  it('takes only the text entries of a fields list as field names', () => {
    const text = JSON.stringify({
      message: 'Title must not be blank',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: ['Title__c', 7, null],
    });
    expect(parseHcError(text)).toMatchObject({ fields: ['Title__c'] });
  });

  it.each([
    ['msg', { msg: lock }],
    ['sf_message, as the trigger log names it', { sf_message: lock }],
    ['msg when message is not text', { message: null, msg: lock }],
  ])('reads the message under %s', (_label, error) => {
    const parsed = parseHcError(JSON.stringify(error));
    expect(parsed).toEqual({ code: 'UNABLE_TO_LOCK_ROW', statusCode: undefined, message: lock });
  });

  it('reads an error object wrapped under "error"', () => {
    expect(parseHcError(JSON.stringify({ error: inactive }))).toEqual({
      code: 'INACTIVE_OWNER_OR_USER',
      statusCode: 'INACTIVE_OWNER_OR_USER',
      message: 'owner is inactive, cannot reparent record',
    });
  });

  it('reads an "error" that is only a word (an OAuth error) as text, the word its code', () => {
    // The shape of Salesforce's OAuth token errors.
    const text = JSON.stringify({ error: 'invalid_grant', error_description: 'expired token' });
    const code = 'invalid_grant';
    expect(parseHcError(text)).toEqual({ code, statusCode: code, message: text });
  });

  // Real errors nest two or three levels; the parser gives up at a fixed depth.
  const WRAPPERS: [string, (text: string) => string][] = [
    ['arrays', (text) => `[${text}]`],
    ['errors objects', (text) => `{"errors":${text}}`],
    ['JSON strings', (text) => JSON.stringify(text)],
  ];
  // A code the taxonomy lacks, so that only the structure can tell it.
  const future = { message: 'a message nobody has seen', errorCode: 'SOME_FUTURE_CODE' };
  function wrap(wrapper: (text: string) => string, levels: number): string {
    let text = JSON.stringify(future);
    for (let level = 0; level < levels; level++) text = wrapper(text);
    return text;
  }

  it.each(WRAPPERS)('reads an error under seven levels of %s, not eight', (_, wrapper) => {
    const found = { code: 'UNKNOWN', statusCode: 'SOME_FUTURE_CODE' };
    expect(parseHcError(wrap(wrapper, 7))).toMatchObject(found);
    const deep = parseHcError(wrap(wrapper, 8));
    expect(deep).toMatchObject({ code: 'UNKNOWN', statusCode: undefined });
  });
});

describe('the error taxonomy in the docs', () => {
  // The reference operators read: a hint that loses half its advice must not pass unseen.
  it.each([...HC_ERROR_CODES])(
    '%s carries the policy and hint docs/commands.md shows',
    async (code) => {
      const docs = await readFile(join(ROOT, 'docs/commands.md'), 'utf8');
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      const { policy, hint } = ERROR_TAXONOMY[code];
      expect(row).toBe(`| \`${code}\` | ${policy} | ${hint} |`);
    },
  );
});
