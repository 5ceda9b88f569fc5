import { describe, expect, it } from 'vitest';
import { parseHcError } from '../../src/core/connect/hc-error.js';

// The corpus (hc-error-corpus.test.ts) holds what Salesforce writes; these are the edges around
// it: spacing it does not vary but a logger or a copy may, placeholders, and wrappings read
// only in part. Each row pins one decision of the parser.
const details = (text: string) => {
  const { code, statusCode, message: _message, ...rest } = parseHcError(text)!;
  return { code, statusCode, ...rest };
};

describe('details through any spacing after the colon', () => {
  it.each([
    [
      'Duplicate id specified:  0013000000auCyTAAU',
      { code: 'UNKNOWN', value: '0013000000auCyTAAU' },
    ],
    [
      'insufficient access rights on cross-reference id:  a0P7F0000012EnA',
      { code: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', value: 'a0P7F0000012EnA' },
    ],
    [
      'unable to obtain exclusive access to this record or 1 records:  a0D1500000R03quEAB',
      { code: 'UNABLE_TO_LOCK_ROW', value: 'a0D1500000R03quEAB' },
    ],
    [
      'Unable to create/update fields:IsDeleted. Please check the security settings',
      { code: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsDeleted'] },
    ],
    [
      'Unable to create/update fields:  Name, Email. Please check the security settings',
      { code: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name', 'Email'] },
    ],
    [
      'Provided external ID field does not exist or is not accessible:  rid',
      { code: 'NOT_FOUND', field: 'rid' },
    ],
    ['InvalidBatch : Field name not found:  Name', { code: 'InvalidBatch', field: 'Name' }],
    ['InvalidBatch : Field name not found  :Id', { code: 'InvalidBatch', field: 'Id' }],
    [
      "The existing country/territory doesn't recognize the state value for field:  State Code",
      { code: 'FIELD_INTEGRITY_EXCEPTION', field: 'State Code' },
    ],
    ['Error in component X. In field:  Parent__c - no record', { field: 'Parent__c' }],
    ['Error in component X. In field: Parent__c - no record', { field: 'Parent__c' }],
    [
      'Account: bad field names on insert/update call:  Name, Email',
      { code: 'INVALID_FIELD_FOR_INSERT_UPDATE', object: 'Account', fields: ['Name', 'Email'] },
    ],
    [
      'Account: bad field names on insert/update call: Name',
      { object: 'Account', fields: ['Name'] },
    ],
    [
      'Invalid entity type provided in the request:  UserRole',
      { code: 'INVALID_INPUT', object: 'UserRole' },
    ],
    [
      'INVALID_FIELD, More than 1 field provided in an external foreign key reference in ' +
        'entity:  Certificate__c',
      { code: 'INVALID_FIELD', object: 'Certificate__c' },
    ],
  ])('%s', (text, expected) => {
    expect(details(text)).toMatchObject(expected);
  });
});

describe('labels, values and placeholders', () => {
  it.each([
    // A label after the code's comma, trimmed: never " Account ID".
    [
      'first error: MALFORMED_ID, Account ID: id value of incorrect type: 001900K0001pPuOAAU',
      { code: 'MALFORMED_ID', field: 'Account ID', value: '001900K0001pPuOAAU' },
    ],
    [
      'first error: NUMBER_OUTSIDE_VALID_RANGE, Score: value outside of valid range on numeric ' +
        'field: 10.0',
      { code: 'NUMBER_OUTSIDE_VALID_RANGE', field: 'Score', value: '10.0' },
    ],
    [
      'first error: INVALID_TYPE_ON_FIELD_IN_RECORD, IsTest: value not of required type: x',
      { code: 'INVALID_TYPE_ON_FIELD_IN_RECORD', field: 'IsTest' },
    ],
    // Salesforce's wording, whatever its case.
    [
      'Billing City: Data Value Too Large: Naples (max length=4)',
      { code: 'STRING_TOO_LONG', field: 'Billing City', value: 'Naples' },
    ],
    // A picklist value before its field list, without the space between.
    [
      'Recurring Type: bad value for restricted picklist field: Fixed [Type__c]',
      { field: 'Recurring Type', value: 'Fixed' },
    ],
    // Only a whole value in <…> is a placeholder.
    [
      'Description: data value too large: see <link> (max length=255)',
      { field: 'Description', value: 'see <link>' },
    ],
    [
      'Description: data value too large: <b>old</b> text (max length=255)',
      { field: 'Description', value: '<b>old</b> text' },
    ],
    [
      'Foreign key external ID: x<y> not found for field Parent__c in entity Account',
      { code: 'FOREIGN_KEY_NOT_FOUND', value: 'x<y>', field: 'Parent__c', object: 'Account' },
    ],
    [
      'Foreign key external ID: <x>y not found for field Parent__c in entity Account',
      { code: 'FOREIGN_KEY_NOT_FOUND', value: '<x>y' },
    ],
    [
      'Apex trigger MyTrigger caused an unexpected exception, contact your administrator',
      { code: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' },
    ],
    ['The external ID matches more than one record', { code: 'DUPLICATE_EXTERNAL_ID' }],
  ])('%s', (text, expected) => {
    expect(details(text)).toMatchObject(expected);
  });

  it('reads no value from a placeholder a pasted error put in its place', () => {
    const text = 'Foreign key external ID: <school-uuid> not found for field X__c in entity Y__c';
    expect(details(text)).not.toHaveProperty('value');
  });

  it('never takes the word UNKNOWN in a text for a status code', () => {
    const text =
      'UNKNOWN here, then duplicate value found: Email__c duplicates value on record ' +
      'with id: 0015g00000ABCDEAAA';
    expect(details(text)).toMatchObject({ code: 'DUPLICATE_VALUE', statusCode: undefined });
  });
});

describe('a field list after a status code inside a text', () => {
  it('is read only right after the code and its comma, with or without spaces', () => {
    const at = 'Insert failed. First exception on row 0; first error:';
    expect(details(`${at} ENTITY_IS_DELETED , entity is deleted:[Name]`)).toMatchObject({
      fields: ['Name'],
    });
    expect(details(`${at} ENTITY_IS_DELETED , entity is deleted: [Name]`)).toMatchObject({
      fields: ['Name'],
    });
    expect(details(`${at} ENTITY_IS_DELETED here, entity is deleted: [Name]`)).not.toHaveProperty(
      'fields',
    );
  });
});

describe('wrappings read in part', () => {
  it('reads Bulk CSV only as the whole text', () => {
    const inside = 'row 2 INVALID_EMAIL_ADDRESS:Email: invalid email address: aulin:Email__c --';
    expect(details(inside)).not.toHaveProperty('fields');
    const trailing = parseHcError('STRING_TOO_LONG:Name: too long:Name -- and then more')!;
    expect(trailing.message).toBe('Name: too long:Name -- and then more');
    expect(trailing).not.toHaveProperty('fields');
  });

  it('reads a code prefix with no space after its colon', () => {
    expect(parseHcError('ENTITY_IS_DELETED:entity is deleted')).toMatchObject({
      statusCode: 'ENTITY_IS_DELETED',
      message: 'entity is deleted',
    });
  });

  it('trims a message nested in JSON, and takes only a text status code', () => {
    const text = JSON.stringify({
      errorCode: 42,
      statusCode: 'ENTITY_IS_DELETED',
      message: 'ENTITY_IS_DELETED: entity is deleted  ',
    });
    expect(parseHcError(text)).toMatchObject({
      statusCode: 'ENTITY_IS_DELETED',
      message: 'entity is deleted',
    });
  });

  it('reads the Python repr of an error, spaced, with True, False and None in it', () => {
    const text =
      "{ 'success': False, 'created': True, 'id': None, " +
      "'errors': [{'statusCode': 'ENTITY_IS_DELETED', 'message': 'gone', 'fields': ['Name']}]}";
    expect(parseHcError(text)).toMatchObject({
      statusCode: 'ENTITY_IS_DELETED',
      message: 'gone',
      fields: ['Name'],
    });
  });

  it('leaves as text a list that only looks like Python', () => {
    const text = `["x", 'ENTITY_IS_DELETED']`;
    expect(parseHcError(text)).toMatchObject({ message: text });
  });

  it('reads a SOAP error only with both message and status code, its tags trimmed', () => {
    const soap =
      '<errors><fields></fields><fields> Name </fields><message> gone </message>' +
      '<statusCode>ENTITY_IS_DELETED</statusCode></errors>';
    expect(parseHcError(soap)).toMatchObject({
      statusCode: 'ENTITY_IS_DELETED',
      message: 'gone',
      fields: ['Name'],
    });
    const empty =
      '<errors><fields></fields><message>gone</message>' +
      '<statusCode>ENTITY_IS_DELETED</statusCode></errors>';
    expect(parseHcError(empty)).not.toHaveProperty('fields');
    const half = '<errors><message>gone</message></errors>';
    expect(parseHcError(half)).toMatchObject({ message: half, statusCode: undefined });
  });
});
