import { describe, expect, it } from 'vitest';
import type { ParentLink, WritableEntity } from '../../src/core/entities/entity.js';
import type { SourceRow } from '../../src/core/audit/types.js';
import { mirrorValues } from '../../src/core/values/mirror-values.js';

function parent(lookup: string, deferred: boolean): ParentLink {
  return {
    entity: 'account',
    column: `${lookup}_src`,
    lookup,
    optional: true,
    readOnly: false,
    deferred,
  };
}

const entity: WritableEntity = {
  name: 'account',
  readOnly: false,
  source: { table: 'accounts', key: { kind: 'column', column: 'id' }, where: undefined },
  mirror: { table: 'account', externalId: 'ext_id__c' },
  fields: [
    { mirrorColumn: 'name', source: { kind: 'column', column: 'name' } },
    { mirrorColumn: 'count__c', source: { kind: 'column', column: 'n' } },
    { mirrorColumn: 'note__c', source: { kind: 'column', column: 'note' } },
  ],
  parents: [parent('owner__r__ext_id__c', false), parent('parent__r__ext_id__c', true)],
};

const row: SourceRow = {
  key: 'k1',
  // count__c is a falsy value that must survive as is; note__c is missing from the row.
  fields: { name: 'Acme', count__c: 0 },
  parents: { owner__r__ext_id__c: 'o1', parent__r__ext_id__c: 'p1' },
};

describe('mirrorValues', () => {
  it('writes the external ID, every field and the non-deferred lookups on insert', () => {
    // toStrictEqual: a column written as undefined instead of null is a different insert.
    expect(mirrorValues(entity, row)).toStrictEqual({
      ext_id__c: 'k1',
      name: 'Acme',
      count__c: 0,
      note__c: null,
      owner__r__ext_id__c: 'o1',
    });
  });

  it('writes a NULL lookup when the source row names no parent', () => {
    const orphan: SourceRow = { key: 'k2', fields: {}, parents: {} };
    expect(mirrorValues(entity, orphan)).toStrictEqual({
      ext_id__c: 'k2',
      name: null,
      count__c: null,
      note__c: null,
      owner__r__ext_id__c: null,
    });
  });

  it('writes only the listed columns on an update, never the external ID', () => {
    expect(mirrorValues(entity, row, ['count__c', 'parent__r__ext_id__c'])).toStrictEqual({
      count__c: 0,
      parent__r__ext_id__c: 'p1',
    });
    expect(mirrorValues(entity, row, ['note__c', 'owner__r__ext_id__c'])).toStrictEqual({
      note__c: null,
      owner__r__ext_id__c: 'o1',
    });
  });

  it('writes a NULL deferred lookup on update when the parent is gone from the source row', () => {
    const orphan: SourceRow = { key: 'k2', fields: {}, parents: {} };
    expect(mirrorValues(entity, orphan, ['parent__r__ext_id__c'])).toStrictEqual({
      parent__r__ext_id__c: null,
    });
  });

  it('writes nothing for an update that lists no column', () => {
    expect(mirrorValues(entity, row, [])).toStrictEqual({});
  });
});
