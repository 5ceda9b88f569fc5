import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HC_ERROR_CODES, HC_ERROR_HINTS, MAX_PARSED_LENGTH, parseHcError } from '../../src/core/hc-error.js';

// Message shapes seen in real Connect databases and public code, in the wrappings they arrive in.
const CASES: [string, string, Record<string, unknown>][] = [
  [
    'FK, bare text as in the editor-api incident',
    'Foreign key external ID: 0f8fad5b-d9cb-469f-a165-70867728950e not found for field EditorUUID__c in entity Editor__c',
    { code: 'FOREIGN_KEY_NOT_FOUND', value: '0f8fad5b-d9cb-469f-a165-70867728950e', field: 'EditorUUID__c', object: 'Editor__c', statusCode: undefined },
  ],
  [
    'FK, REST JSON with errorCode',
    '{"message":"Foreign key external ID: 42 not found for field Pi_Accounts_Unique_ID__c in entity Contact","errorCode":"INVALID_FIELD"}',
    { code: 'FOREIGN_KEY_NOT_FOUND', value: '42', field: 'Pi_Accounts_Unique_ID__c', object: 'Contact', statusCode: 'INVALID_FIELD' },
  ],
  [
    'FK, Bulk CSV form with code prefix and :-- suffix',
    'INVALID_FIELD:Foreign key external ID: abc-1 not found for field ClassroomUUID__c in entity Classroom__c:--',
    { code: 'FOREIGN_KEY_NOT_FOUND', value: 'abc-1', field: 'ClassroomUUID__c', object: 'Classroom__c', statusCode: 'INVALID_FIELD' },
  ],
  [
    'FK, JSON array of errors',
    '[{"message":"Foreign key external ID: x9 not found for field ExtId__c in entity Account","statusCode":"INVALID_FIELD","fields":[]}]',
    { code: 'FOREIGN_KEY_NOT_FOUND', value: 'x9', object: 'Account' },
  ],
  [
    'duplicate value',
    'duplicate value found: Affiliation_ID__c duplicates value on record with id: a0Q9D000005zjF0UAI',
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
  ['required field, bare', 'Required fields are missing: [LastName]', { code: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }],
  [
    'validation rule, Apex-wrapped',
    'FIELD_CUSTOM_VALIDATION_EXCEPTION, Classroom title must not be blank: [ClassroomTitle__c]',
    { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Classroom title must not be blank', fields: ['ClassroomTitle__c'] },
  ],
  [
    'validation rule, JSON',
    '{"message":"Website must start with https","errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION"}',
    { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
  ],
  ['lock', 'unable to obtain exclusive access to this record', { code: 'UNABLE_TO_LOCK_ROW' }],
  [
    'lock, with code',
    'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: a0n000000000001:--',
    { code: 'UNABLE_TO_LOCK_ROW', statusCode: 'UNABLE_TO_LOCK_ROW' },
  ],
  ['deleted', 'entity is deleted', { code: 'ENTITY_IS_DELETED' }],
  ['cross reference', 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--', { code: 'INVALID_CROSS_REFERENCE_KEY' }],
  ['permissions', 'Permission Denied', { code: 'INSUFFICIENT_ACCESS' }],
  [
    'access rights',
    'INSUFFICIENT_ACCESS_OR_READONLY:insufficient access rights on object id:--',
    { code: 'INSUFFICIENT_ACCESS', statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY' },
  ],
  ['too long', 'STRING_TOO_LONG:Name: data value too large: Springfield Elementary and Middle School (max length=80):--', { code: 'STRING_TOO_LONG' }],
  ['too long, bare', 'Classroom Title: data value too large: aaaa (max length=255)', { code: 'STRING_TOO_LONG' }],
  [
    'unknown code keeps its status code',
    'OWNER_INACTIVE:owner is inactive, cannot reparent record:--',
    { code: 'UNKNOWN', statusCode: 'OWNER_INACTIVE', message: 'owner is inactive, cannot reparent record' },
  ],
  ['unknown text', 'something odd happened', { code: 'UNKNOWN', message: 'something odd happened' }],
  ['broken JSON is read as text', '{"message": "entity is deleted"', { code: 'ENTITY_IS_DELETED' }],
];

describe('parseHcError', () => {
  it.each(CASES)('%s', (_label, text, expected) => {
    expect(parseHcError(text)).toMatchObject(expected);
  });

  it('returns null when there is no error text', () => {
    expect(parseHcError(null)).toBeNull();
    expect(parseHcError('   ')).toBeNull();
  });

  it('has a one-line hint for every code', () => {
    for (const code of HC_ERROR_CODES) {
      expect(HC_ERROR_HINTS[code]).toMatch(/^[^\n]{20,}$/);
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
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => void parseHcError(JSON.stringify(value))),
      { seed: 11, numRuns: 3000 },
    );
  });

  it('reads JSON nested far too deep as plain text instead of overflowing the stack', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}"Foreign key external ID: x not found for field F__c in entity E__c"${']'.repeat(depth)}`;
    // The message is still found in the text itself...
    expect(parseHcError(nested(5_000))).toMatchObject({ code: 'FOREIGN_KEY_NOT_FOUND', field: 'F__c', object: 'E__c' });
    // ...unless it lies beyond what is parsed.
    expect(parseHcError(nested(100_000))).toMatchObject({ code: 'UNKNOWN' });
    expect(parseHcError(`${'{"errors":'.repeat(3_000)}1${'}'.repeat(3_000)}`)).toMatchObject({ code: 'UNKNOWN' });
  });

  it('parses only the start of a megabyte of text, so a pattern cannot backtrack over all of it', () => {
    const huge = `INVALID_FIELD:${'Foreign key external ID: x '.repeat(40_000)}`;
    expect(huge.length).toBeGreaterThan(1_000_000);
    const parsed = parseHcError(huge)!;
    expect(parsed.message.length).toBeLessThanOrEqual(MAX_PARSED_LENGTH);
  });
});
