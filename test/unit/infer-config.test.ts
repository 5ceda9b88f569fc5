import { describe, expect, it } from 'vitest';
import { parseConnectExport } from '../../src/config/connect-export.js';
import { parseConfig } from '../../src/config/load.js';
import type { SchemaCatalog } from '../../src/core/catalog.js';
import { inferConfig, normalise, type SchemaStructure } from '../../src/core/infer-config.js';
import { UsageError } from '../../src/errors.js';

const MIRROR_SYSTEM = ['id', 'sfid', '_hc_lastop', '_hc_err', 'systemmodstamp', 'isdeleted', 'createddate'];

function catalog(tables: Record<string, { columns: string[]; unique?: string[]; types?: Record<string, string> }>): SchemaCatalog {
  return {
    serverVersion: '17',
    schema: 's',
    schemaExists: true,
    functions: new Set(),
    xmlbinary: 'base64',
    tables: new Map(
      Object.entries(tables).map(([name, t]) => [
        name,
        {
          columns: new Map(t.columns.map((c) => [c, { type: t.types?.[c] ?? 'text', maxLength: null }])),
          uniqueColumns: new Set(t.unique ?? []),
          triggers: new Set(),
        },
      ]),
    ),
  };
}

const mirrorTable = (externalId: string, ...columns: string[]) => ({ columns: [...MIRROR_SYSTEM, externalId, ...columns], unique: ['sfid', externalId] });

function infer(options: {
  mirror: Record<string, { columns: string[]; unique?: string[] }>;
  source: Record<string, { columns: string[]; unique?: string[]; types?: Record<string, string> }>;
  structure?: Partial<SchemaStructure>;
  map?: Record<string, string>;
  readOnly?: string[];
  exportText?: string;
  rowCounts?: { source: Record<string, number>; mirror: Record<string, number> };
}) {
  const structure: SchemaStructure = {
    primaryKeys: new Map(Object.keys(options.source).map((t) => [t, ['id']])),
    foreignKeys: [],
    nullableColumns: new Map(),
    ...options.structure,
  };
  const result = inferConfig({
    mirror: { schema: 'salesforce', url: 'env:M', catalog: catalog(options.mirror), readOnlyTables: new Set(options.readOnly ?? []) },
    source: { schema: 'public', url: 'env:S', catalog: catalog(options.source), structure },
    tableMap: new Map(Object.entries(options.map ?? {})),
    exported: options.exportText ? parseConnectExport(options.exportText, 'export.json') : undefined,
    rowCounts: options.rowCounts && { source: new Map(Object.entries(options.rowCounts.source)), mirror: new Map(Object.entries(options.rowCounts.mirror)) },
  });
  // Whatever init writes must load as a config.
  parseConfig(JSON.stringify(result.config), 'init.json', {});
  return result.config as { entities: Record<string, any>[]; todo?: string[] };
}

describe('inferConfig', () => {
  it('matches names the Salesforce way', () => {
    expect(normalise('LessonTitle__c')).toBe('lessontitle');
    expect(normalise('lesson_title')).toBe('lessontitle');
    const config = infer({
      mirror: { category__c: mirrorTable('category_uuid__c', 'display_name__c', 'createdat__c') },
      source: { categories: { columns: ['id', 'display_name', 'created_at', 'secret'] } },
    });
    expect(config.entities).toEqual([
      {
        name: 'category',
        source: { table: 'categories', key: 'id' },
        mirror: { table: 'category__c', externalId: 'category_uuid__c' },
        fields: { display_name__c: 'display_name', createdat__c: 'created_at' },
      },
    ]);
  });

  it('finds a parent through a foreign key, or through a column named after the relationship, and marks a nullable one optional', () => {
    const config = infer({
      mirror: {
        school__c: mirrorTable('school_uuid__c'),
        teacher__c: mirrorTable('teacher_uuid__c'),
        lesson__c: mirrorTable('lesson_uuid__c', 'school__c', 'school__r__school_uuid__c', 'lead_teacher__c', 'lead_teacher__r__teacher_uuid__c'),
      },
      source: { schools: { columns: ['id'] }, staff: { columns: ['id'] }, lessons: { columns: ['id', 'sch', 'teacher_id'] } },
      map: { teacher__c: 'staff' },
      structure: {
        foreignKeys: [{ table: 'lessons', column: 'sch', refTable: 'schools', refColumn: 'id' }],
        nullableColumns: new Map([['lessons', new Set(['teacher_id'])]]),
      },
    });
    expect(config.entities.find((e) => e.name === 'lesson')!.parents).toEqual([
      { entity: 'school', column: 'sch', lookup: 'school__r__school_uuid__c' },
      { entity: 'teacher', column: 'teacher_id', lookup: 'lead_teacher__r__teacher_uuid__c', optional: true },
    ]);
  });

  it('keeps a self-lookup and a two-object cycle, which the config writes in two phases', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('ext__c', 'parent__r__ext__c'),
        a__c: mirrorTable('a_uuid__c', 'b__r__b_uuid__c'),
        b__c: mirrorTable('b_uuid__c', 'a__r__a_uuid__c'),
      },
      source: { accounts: { columns: ['id', 'parent_id'] }, as: { columns: ['id', 'b_id'] }, bs: { columns: ['id', 'a_id'] } },
      structure: {
        foreignKeys: [
          { table: 'accounts', column: 'parent_id', refTable: 'accounts', refColumn: 'id' },
          { table: 'as', column: 'b_id', refTable: 'bs', refColumn: 'id' },
          { table: 'bs', column: 'a_id', refTable: 'as', refColumn: 'id' },
        ],
      },
    });
    const entity = (name: string) => config.entities.find((e) => e.name === name)!;
    expect(entity('account').parents).toEqual([{ entity: 'account', column: 'parent_id', lookup: 'parent__r__ext__c' }]);
    expect(entity('a').parents).toEqual([{ entity: 'b', column: 'b_id', lookup: 'b__r__b_uuid__c' }]);
    expect(entity('b').parents).toEqual([{ entity: 'a', column: 'a_id', lookup: 'a__r__a_uuid__c' }]);
    expect([...(entity('a').todo ?? []), ...(entity('b').todo ?? []), ...(entity('account').todo ?? [])]).toEqual([]);
  });

  it('keeps an entity it cannot key read-only, with the reason', () => {
    const config = infer({
      mirror: { enrolment__c: mirrorTable('enrolment_key__c') },
      source: { enrolments: { columns: ['student_id', 'class_id'] } },
      structure: { primaryKeys: new Map([['enrolments', ['student_id', 'class_id']]]) },
    });
    expect(config.entities[0]).toMatchObject({
      name: 'enrolment',
      readOnly: true,
      todo: [expect.stringContaining('composite primary key (student_id, class_id)')],
    });
  });

  it('follows a Connect export: its objects only, their access, fields and unique identifier, whatever the key order', () => {
    const exportText = JSON.stringify({
      mappings: [
        { config: { fields: { Name: {}, Widget_Key__c: {}, Colour__c: {} }, access: 'read_write', upsert_field: 'Widget_Key__c' }, object_name: 'Widget__c' },
        { object_name: 'Contact', config: { indexes: { Ext__c: { unique: true } }, access: 'read_only', fields: { Ext__c: {} } } },
        { object_name: 'Ghost__c', config: { access: 'read_write', fields: {} } },
      ],
      version: 1,
    });
    const config = infer({
      mirror: {
        widget__c: {
          columns: [...MIRROR_SYSTEM, 'widget_key__c', 'other_key__c', 'name', 'colour__c', 'size__c'],
          unique: ['sfid', 'widget_key__c', 'other_key__c'],
        },
        contact: mirrorTable('ext__c'),
        unexported__c: mirrorTable('u__c'),
      },
      source: { widgets: { columns: ['id', 'name', 'colour', 'size'] }, contacts: { columns: ['id'] } },
      exportText,
    });
    expect(config.entities.map((e) => e.name)).toEqual(['contact', 'widget']);
    expect(config.entities[0]).toEqual({ name: 'contact', readOnly: true, mirror: { table: 'contact', externalId: 'ext__c' } });
    expect(config.entities[1]!.fields).toEqual({ name: 'name', colour__c: 'colour' });
    expect(config.todo).toEqual(['the export maps ghost__c, but the mirror schema has no such table (not synced yet?)']);
  });

  it('keys by the column that names the external ID, or the uuid column an …uuid… external ID points at, before the primary key', () => {
    const named = infer({ mirror: { lesson__c: mirrorTable('lesson_uuid__c') }, source: { lessons: { columns: ['id', 'lesson_uuid'] } } });
    expect(named.entities[0]!.source).toEqual({ table: 'lessons', key: 'lesson_uuid' });
    const uuid = infer({
      mirror: { editor__c: mirrorTable('editoruuid__c') },
      source: { editors: { columns: ['id', 'public_id'], unique: ['id', 'public_id'], types: { id: 'bigint', public_id: 'uuid' } } },
    });
    expect(uuid.entities[0]!.source).toEqual({ table: 'editors', key: 'public_id' });
    const pk = infer({ mirror: { editor__c: mirrorTable('editoruuid__c') }, source: { editors: { columns: ['id'], unique: ['id'], types: { id: 'uuid' } } } });
    expect(pk.entities[0]!.source).toEqual({ table: 'editors', key: 'id' });
  });

  it('asks for a source.where when the source has clearly more rows than the mirror', () => {
    const tables = {
      mirror: { school__c: mirrorTable('school_uuid__c'), role__c: mirrorTable('role_uuid__c') },
      source: { schools: { columns: ['id'] }, roles: { columns: ['id'] } },
    };
    const config = infer({ ...tables, rowCounts: { source: { schools: 300, roles: 1000 }, mirror: { school__c: 289, role__c: 998 } } });
    expect(config.entities.find((e) => e.name === 'school')!.todo).toEqual([
      expect.stringMatching(/^schools has 300 rows and school__c 289: if the app syncs only some rows, add the rule as source\.where/),
    ]);
    expect(config.entities.find((e) => e.name === 'role')!.todo).toBeUndefined();
    // An empty mirror says nothing about filters: nothing was synced yet.
    expect(infer({ ...tables, rowCounts: { source: { schools: 300, roles: 5 }, mirror: { school__c: 0, role__c: 0 } } }).entities.every((e) => !e.todo)).toBe(
      true,
    );
  });

  it('refuses a file that is not an export, saying where', () => {
    expect(() => parseConnectExport('{"mappings": [{"config": {}}]}', 'x.json')).toThrow(UsageError);
    expect(() => parseConnectExport('{"mappings": [{"config": {}}]}', 'x.json')).toThrow(
      /x\.json is not a Heroku Connect mapping export: mappings\.0\.object_name/,
    );
    expect(() => parseConnectExport('nope', 'x.json')).toThrow(/x\.json is not JSON/);
  });
});
