import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConnectExport } from '../../src/config/connect-export.js';
import { parseConfig } from '../../src/config/load.js';
import type { SchemaCatalog } from '../../src/core/schema/catalog.js';
import { isPlainIdentifier } from '../../src/core/identifier.js';
import {
  inferConfig,
  normalise,
  type SchemaStructure,
} from '../../src/core/schema/infer-config.js';
import { entitySchema } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { ROOT } from '../support/paths.js';

const MIRROR_SYSTEM = [
  'id',
  'sfid',
  '_hc_lastop',
  '_hc_err',
  'systemmodstamp',
  'isdeleted',
  'createddate',
];

interface TableSpec {
  columns: string[];
  unique?: string[];
  types?: Record<string, string>;
  /** varchar lengths, by column. */
  lengths?: Record<string, number>;
}

function catalog(tables: Record<string, TableSpec>): SchemaCatalog {
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
          columns: new Map(
            t.columns.map((c) => [
              c,
              t.lengths?.[c] === undefined
                ? { type: t.types?.[c] ?? 'text', maxLength: null }
                : { type: 'character varying', maxLength: t.lengths[c]! },
            ]),
          ),
          uniqueColumns: new Set(t.unique ?? []),
          triggers: new Set(),
        },
      ]),
    ),
  };
}

const mirrorTable = (externalId: string, ...columns: string[]) => ({
  columns: [...MIRROR_SYSTEM, externalId, ...columns],
  unique: ['sfid', externalId],
});

function infer(options: {
  mirror: Record<string, TableSpec>;
  source: Record<string, TableSpec>;
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
    mirror: {
      schema: 'salesforce',
      url: 'env:M',
      catalog: catalog(options.mirror),
      readOnlyTables: new Set(options.readOnly ?? []),
    },
    source: { schema: 'public', url: 'env:S', catalog: catalog(options.source), structure },
    tableMap: new Map(Object.entries(options.map ?? {})),
    exported: options.exportText
      ? parseConnectExport(options.exportText, 'export.json')
      : undefined,
    rowCounts: options.rowCounts && {
      source: new Map(Object.entries(options.rowCounts.source)),
      mirror: new Map(Object.entries(options.rowCounts.mirror)),
    },
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

  it('finds parents by foreign key or relationship-named column, a nullable one optional', () => {
    const config = infer({
      mirror: {
        school__c: mirrorTable('school_uuid__c'),
        teacher__c: mirrorTable('teacher_uuid__c'),
        lesson__c: mirrorTable(
          'lesson_uuid__c',
          'school__c',
          'school__r__school_uuid__c',
          'lead_teacher__c',
          'lead_teacher__r__teacher_uuid__c',
        ),
      },
      source: {
        schools: { columns: ['id'] },
        staff: { columns: ['id'] },
        lessons: { columns: ['id', 'sch', 'teacher_id'] },
      },
      map: { teacher__c: 'staff' },
      structure: {
        foreignKeys: [{ table: 'lessons', column: 'sch', refTable: 'schools', refColumn: 'id' }],
        nullableColumns: new Map([['lessons', new Set(['teacher_id'])]]),
      },
    });
    expect(config.entities.find((e) => e.name === 'lesson')!.parents).toEqual([
      { entity: 'school', column: 'sch', lookup: 'school__r__school_uuid__c' },
      {
        entity: 'teacher',
        column: 'teacher_id',
        lookup: 'lead_teacher__r__teacher_uuid__c',
        optional: true,
      },
    ]);
  });

  it('keeps a self-lookup and a two-object cycle, which the config writes in two phases', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('ext__c', 'parent__r__ext__c'),
        a__c: mirrorTable('a_uuid__c', 'b__r__b_uuid__c'),
        b__c: mirrorTable('b_uuid__c', 'a__r__a_uuid__c'),
      },
      source: {
        accounts: { columns: ['id', 'parent_id'] },
        as: { columns: ['id', 'b_id'] },
        bs: { columns: ['id', 'a_id'] },
      },
      structure: {
        foreignKeys: [
          { table: 'accounts', column: 'parent_id', refTable: 'accounts', refColumn: 'id' },
          { table: 'as', column: 'b_id', refTable: 'bs', refColumn: 'id' },
          { table: 'bs', column: 'a_id', refTable: 'as', refColumn: 'id' },
        ],
      },
    });
    const entity = (name: string) => config.entities.find((e) => e.name === name)!;
    expect(entity('account').parents).toEqual([
      { entity: 'account', column: 'parent_id', lookup: 'parent__r__ext__c' },
    ]);
    expect(entity('a').parents).toEqual([
      { entity: 'b', column: 'b_id', lookup: 'b__r__b_uuid__c' },
    ]);
    expect(entity('b').parents).toEqual([
      { entity: 'a', column: 'a_id', lookup: 'a__r__a_uuid__c' },
    ]);
    expect([
      ...(entity('a').todo ?? []),
      ...(entity('b').todo ?? []),
      ...(entity('account').todo ?? []),
    ]).toEqual([]);
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

  it('follows a Connect export: its objects, access, fields, unique id only; any key order', () => {
    const exportText = JSON.stringify({
      mappings: [
        {
          config: {
            fields: { Name: {}, Widget_Key__c: {}, Colour__c: {} },
            access: 'read_write',
            upsert_field: 'Widget_Key__c',
          },
          object_name: 'Widget__c',
        },
        {
          object_name: 'Contact',
          config: {
            indexes: { Ext__c: { unique: true } },
            access: 'read_only',
            fields: { Ext__c: {} },
          },
        },
        { object_name: 'Ghost__c', config: { access: 'read_write', fields: {} } },
      ],
      version: 1,
    });
    const config = infer({
      mirror: {
        widget__c: {
          columns: [
            ...MIRROR_SYSTEM,
            'widget_key__c',
            'other_key__c',
            'name',
            'colour__c',
            'size__c',
          ],
          unique: ['sfid', 'widget_key__c', 'other_key__c'],
        },
        contact: mirrorTable('ext__c'),
        unexported__c: mirrorTable('u__c'),
      },
      source: {
        widgets: { columns: ['id', 'name', 'colour', 'size'] },
        contacts: { columns: ['id'] },
      },
      exportText,
    });
    expect(config.entities.map((e) => e.name)).toEqual(['contact', 'widget']);
    expect(config.entities[0]).toEqual({
      name: 'contact',
      readOnly: true,
      mirror: { table: 'contact', externalId: 'ext__c' },
    });
    expect(config.entities[1]!.fields).toEqual({ name: 'name', colour__c: 'colour' });
    expect(config.todo).toEqual([
      'the export maps ghost__c, but the mirror schema has no such table (not synced yet?)',
    ]);
  });

  it("keys by the external ID's column, else the uuid an …uuid… ID names, else the PK", () => {
    const named = infer({
      mirror: { lesson__c: mirrorTable('lesson_uuid__c') },
      source: { lessons: { columns: ['id', 'lesson_uuid'] } },
    });
    expect(named.entities[0]!.source).toEqual({ table: 'lessons', key: 'lesson_uuid' });
    const uuid = infer({
      mirror: { editor__c: mirrorTable('editoruuid__c') },
      source: {
        editors: {
          columns: ['id', 'public_id'],
          unique: ['id', 'public_id'],
          types: { id: 'bigint', public_id: 'uuid' },
        },
      },
    });
    expect(uuid.entities[0]!.source).toEqual({ table: 'editors', key: 'public_id' });
    const pk = infer({
      mirror: { editor__c: mirrorTable('editoruuid__c') },
      source: { editors: { columns: ['id'], unique: ['id'], types: { id: 'uuid' } } },
    });
    expect(pk.entities[0]!.source).toEqual({ table: 'editors', key: 'id' });
  });

  it('asks for a source.where when the source has clearly more rows than the mirror', () => {
    const tables = {
      mirror: { school__c: mirrorTable('school_uuid__c'), role__c: mirrorTable('role_uuid__c') },
      source: { schools: { columns: ['id'] }, roles: { columns: ['id'] } },
    };
    const config = infer({
      ...tables,
      rowCounts: {
        source: { schools: 300, roles: 1000 },
        mirror: { school__c: 289, role__c: 998 },
      },
    });
    expect(config.entities.find((e) => e.name === 'school')!.todo).toEqual([
      expect.stringMatching(
        new RegExp(
          '^schools has 300 rows and school__c 289: ' +
            String.raw`if the app syncs only some rows, add the rule as source\.where`,
        ),
      ),
    ]);
    expect(config.entities.find((e) => e.name === 'role')!.todo).toBeUndefined();
    // An empty mirror says nothing about filters: nothing was synced yet.
    expect(
      infer({
        ...tables,
        rowCounts: { source: { schools: 300, roles: 5 }, mirror: { school__c: 0, role__c: 0 } },
      }).entities.every((e) => !e.todo),
    ).toBe(true);
  });

  it('leaves out tables/columns/keys the config rejects, a note per table; config loads', () => {
    const odd = [
      'we"ird',
      'semi;colon',
      'café',
      'esc\u001b[31mred',
      'dot.ted',
      'constructor',
      `d.${'x'.repeat(61)}`,
    ];
    const config = infer({
      mirror: {
        ...Object.fromEntries(odd.map((t) => [t, mirrorTable('ext__c')])),
        // Not a Connect mirror table: left out silently, as any such table is.
        'no;sfid': { columns: ['id', 'ext__c'], unique: ['ext__c'] },
        lesson__c: mirrorTable(
          'lesson_uuid__c',
          'title__c',
          'ti;tle__c',
          'school__r__school_uuid__c',
        ),
        school__c: mirrorTable('school_uuid__c'),
      },
      source: {
        ...Object.fromEntries(odd.map((t) => [t, { columns: ['id'] }])),
        lessons: { columns: ['id', 'title', 'sch"ool_id', 'lesson_uuid'] },
        schools: { columns: ['Id'] },
      },
      structure: {
        primaryKeys: new Map([
          ['lessons', ['id']],
          ['schools', ['Id']],
        ]),
        foreignKeys: [
          { table: 'lessons', column: 'sch"ool_id', refTable: 'schools', refColumn: 'Id' },
        ],
        nullableColumns: new Map([['lessons', new Set(['sch"ool_id'])]]),
      },
    });
    expect(config.entities.map((e) => e.name)).toEqual(['lesson', 'school']);
    expect(config.todo).toEqual([
      ...odd.map((t) =>
        expect.stringMatching(
          new RegExp(`^mirror table ${escapeRegExp(JSON.stringify(t))} left out: `),
        ),
      ),
      ...odd.map((t) =>
        expect.stringMatching(
          new RegExp(`^source table ${escapeRegExp(JSON.stringify(t))} left out: `),
        ),
      ),
    ]);
    expect(config.todo!.join('')).not.toContain('\u001b');
    const lesson = config.entities.find((e) => e.name === 'lesson')!;
    // The foreign key runs over a column left out: the lookup is left for a person.
    expect(lesson.parents).toBeUndefined();
    expect(lesson.todo).toContainEqual(
      expect.stringMatching(
        /^columns left out, .*: lesson__c\."ti;tle__c", lessons\."sch\\"ool_id"$/,
      ),
    );
  });

  it('follows an export to names it leaves out without a misleading note', () => {
    const exportText = JSON.stringify({
      mappings: [
        {
          object_name: 'Dot.Ted__c',
          config: { access: 'read_write', fields: { Ext__c: {} }, upsert_field: 'Ext__c' },
        },
        {
          object_name: 'Widget__c',
          config: {
            access: 'read_write',
            fields: { 'Ext;Key__c': {} },
            upsert_field: 'Ext;Key__c',
          },
        },
        {
          object_name: 'Plain__c',
          config: { access: 'read_only', fields: { Ext__c: {} }, upsert_field: 'Ext__c' },
        },
      ],
      version: 1,
    });
    const config = infer({
      mirror: {
        'dot.ted__c': mirrorTable('ext__c'),
        widget__c: mirrorTable('ext;key__c'),
        plain__c: mirrorTable('ext__c'),
      },
      source: {},
      exportText,
    });
    expect(config.entities.map((e) => e.name)).toEqual(['plain']);
    expect(config.todo).toEqual([
      expect.stringMatching(/^mirror table "dot\.ted__c" left out: /),
      expect.stringMatching(
        new RegExp(
          `^widget__c: the export's unique identifier "ext;key__c" ` +
            'is not a name the config can hold .*; left out$',
        ),
      ),
    ]);
  });

  it('names the entity after the table where the short name is reserved or taken', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('ext_id__c'),
        account__c: mirrorTable('account_uuid__c'),
        constructor__c: mirrorTable('constructor_uuid__c'),
      },
      source: {},
    });
    expect(config.entities.map((e) => [e.name, e.mirror.table])).toEqual([
      ['account', 'account'],
      ['account__c', 'account__c'],
      ['constructor__c', 'constructor__c'],
    ]);
  });

  it('tells plain identifiers exactly as the config schema does', () => {
    const names = [
      'a',
      '_x',
      'A1_b',
      'x'.repeat(63),
      'x'.repeat(64),
      '1a',
      '',
      'a.b',
      'a b',
      'we"ird',
      'café',
      'a\u001b',
      '__proto__',
      'constructor',
      'prototype',
      'Prototype',
    ];
    for (const name of names)
      expect(isPlainIdentifier(name), name).toBe(entitySchema.shape.name.safeParse(name).success);
  });

  it('refuses a file that is not an export, saying where', () => {
    expect(() => parseConnectExport('{"mappings": [{"config": {}}]}', 'x.json')).toThrow(
      UsageError,
    );
    expect(() => parseConnectExport('{"mappings": [{"config": {}}]}', 'x.json')).toThrow(
      /x\.json is not a Heroku Connect mapping export: mappings\.0\.object_name/,
    );
    expect(() => parseConnectExport('nope', 'x.json')).toThrow(/x\.json is not JSON/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('inferConfig on the shapes of real Connect orgs', () => {
  // Standard objects that share one external-ID field, as many orgs give every object the same.
  const accountContact = (contactColumns: string[] = []) => ({
    account: mirrorTable('externalid__c', 'name', 'parentid', 'parent__r__externalid__c'),
    contact: mirrorTable(
      'externalid__c',
      'lastname',
      'accountid',
      'account__r__externalid__c',
      'reportstoid',
      'reportsto__r__externalid__c',
      ...contactColumns,
    ),
  });
  const entity = (config: { entities: Record<string, any>[] }, name: string) =>
    config.entities.find((e) => e.name === name)!;

  it('tells objects sharing an external-ID name apart by the relationship name', () => {
    const config = infer({
      mirror: accountContact(),
      source: {
        accounts: { columns: ['id', 'externalid', 'name', 'parent_id'] },
        contacts: { columns: ['id', 'externalid', 'lastname', 'account_id', 'reports_to_id'] },
      },
      structure: {
        foreignKeys: [
          { table: 'accounts', column: 'parent_id', refTable: 'accounts', refColumn: 'externalid' },
          {
            table: 'contacts',
            column: 'account_id',
            refTable: 'accounts',
            refColumn: 'externalid',
          },
          {
            table: 'contacts',
            column: 'reports_to_id',
            refTable: 'contacts',
            refColumn: 'externalid',
          },
        ],
      },
    });
    expect(entity(config, 'account').parents).toEqual([
      { entity: 'account', column: 'parent_id', lookup: 'parent__r__externalid__c' },
    ]);
    expect(entity(config, 'contact').parents).toEqual([
      { entity: 'account', column: 'account_id', lookup: 'account__r__externalid__c' },
      { entity: 'contact', column: 'reports_to_id', lookup: 'reportsto__r__externalid__c' },
    ]);
  });

  it('tells them apart by the foreign key when the relationship has a custom name', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('externalid__c'),
        contact: mirrorTable('externalid__c', 'employer__r__externalid__c'),
      },
      source: {
        accounts: { columns: ['id', 'externalid'] },
        contacts: { columns: ['id', 'externalid', 'company'] },
      },
      structure: {
        foreignKeys: [
          { table: 'contacts', column: 'company', refTable: 'accounts', refColumn: 'externalid' },
        ],
      },
    });
    expect(entity(config, 'contact').parents).toEqual([
      { entity: 'account', column: 'company', lookup: 'employer__r__externalid__c' },
    ]);
  });

  it('asks only when neither the name nor a foreign key tells', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('externalid__c'),
        contact: mirrorTable('externalid__c', 'sponsor__r__externalid__c'),
      },
      source: {
        accounts: { columns: ['id', 'externalid'] },
        contacts: { columns: ['id', 'externalid', 'sponsor_id'] },
      },
    });
    expect(entity(config, 'contact').parents).toBeUndefined();
    expect(entity(config, 'contact').todo).toEqual([
      expect.stringMatching(/^lookup sponsor__r__externalid__c: account and contact all use/),
    ]);
  });

  it('never maps a Salesforce-Id reference column from an app column', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('externalid__c', 'masterrecordid', 'billingcity'),
        contact: mirrorTable('externalid__c', 'accountid', 'reportstoid', 'email'),
      },
      source: {
        accounts: { columns: ['id', 'externalid', 'master_record_id', 'billing_city'] },
        contacts: { columns: ['id', 'externalid', 'account_id', 'email'] },
      },
    });
    expect(entity(config, 'account').fields).toEqual({ billingcity: 'billing_city' });
    expect(entity(config, 'contact').fields).toEqual({ email: 'email' });
    expect(entity(config, 'contact').todo).toContainEqual(
      expect.stringMatching(/^accountid holds the Salesforce id of its account.* from account_id/),
    );
    expect(entity(config, 'account').todo).toContainEqual(
      expect.stringMatching(/^masterrecordid holds the Salesforce id of its account/),
    );
  });

  it('knows an …id column of Salesforce-id length as a reference on any object', () => {
    const config = infer({
      mirror: {
        widget__c: {
          ...mirrorTable('widget_key__c', 'supplierid', 'partid'),
          lengths: { supplierid: 18, partid: 40 },
        },
      },
      source: { widgets: { columns: ['id', 'widget_key', 'supplier_id', 'part_id'] } },
    });
    expect(entity(config, 'widget').fields).toEqual({ partid: 'part_id' });
  });

  it('does not link a parent through a foreign key to a column other than its key', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('externalid__c'),
        contact: mirrorTable('externalid__c', 'account__r__externalid__c'),
      },
      source: {
        accounts: { columns: ['id', 'externalid'] },
        contacts: { columns: ['id', 'externalid', 'account_id'] },
      },
      structure: {
        foreignKeys: [
          { table: 'contacts', column: 'account_id', refTable: 'accounts', refColumn: 'id' },
        ],
      },
    });
    expect(entity(config, 'account').source.key).toBe('externalid');
    expect(entity(config, 'contact').parents).toBeUndefined();
    expect(entity(config, 'contact').todo).toContainEqual(
      expect.stringContaining(
        "contacts.account_id references accounts.id, not account's key accounts.externalid",
      ),
    );
  });

  it('links a lookup named the older way, <object>__<extfield>, but no namespaced field', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('externalid__c'),
        contact: mirrorTable('externalid__c', 'account__externalid__c', 'npsp__externalid__c'),
      },
      source: {
        accounts: { columns: ['id', 'externalid'] },
        contacts: { columns: ['id', 'externalid', 'account_id', 'npsp_externalid'] },
      },
    });
    expect(entity(config, 'contact').parents).toEqual([
      { entity: 'account', column: 'account_id', lookup: 'account__externalid__c' },
    ]);
    expect(entity(config, 'contact').fields).toEqual({ npsp__externalid__c: 'npsp_externalid' });
  });

  it('maps a standard object Name, never the compound Name of a contact', () => {
    const config = infer({
      mirror: {
        account: mirrorTable('externalid__c', 'name'),
        contact: mirrorTable('externalid__c', 'name', 'lastname'),
      },
      source: {
        accounts: { columns: ['id', 'externalid', 'name'] },
        contacts: { columns: ['id', 'externalid', 'name', 'last_name'] },
      },
    });
    expect(entity(config, 'account')).toMatchObject({ fields: { name: 'name' } });
    expect(entity(config, 'account').todo).toBeUndefined();
    expect(entity(config, 'contact')).toMatchObject({ fields: { lastname: 'last_name' } });
    expect(entity(config, 'contact').todo).toBeUndefined();
  });

  it('reads a real export: read-only objects without an external ID, custom Id lookups', () => {
    // fixtures/connect-exports/README.md: a 2019 export of a car dealer demo org.
    const exportText = readFileSync(
      `${ROOT}fixtures/connect-exports/electron-website.json`,
      'utf8',
    );
    const mirror = Object.fromEntries(
      parseConnectExport(exportText, 'electron-website.json').map((m) => [
        m.table,
        {
          columns: [...new Set([...MIRROR_SYSTEM, ...m.fields])],
          unique: ['sfid', ...(m.externalId ? [m.externalId] : [])],
          // Connect makes every lookup a varchar(18), as it holds a Salesforce id.
          lengths: { account__c: 18, vehicle__c: 18, accountid: 18 },
        },
      ]),
    );
    const config = infer({
      mirror,
      source: {
        vehicles: { columns: ['id', 'web_id', 'model', 'price', 'status', 'account'] },
        loans: { columns: ['id', 'web_id', 'vehicle', 'price', 'status', 'employer'] },
      },
      exportText,
    });
    expect(config.todo).toEqual([
      expect.stringMatching(/^account: no unique external-ID column/),
      expect.stringMatching(/^contact: no unique external-ID column/),
    ]);
    expect(config.entities.map((e) => [e.name, e.mirror.externalId, e.source.key])).toEqual([
      ['loan', 'web_id__c', 'web_id'],
      ['vehicle', 'web_id__c', 'web_id'],
    ]);
    // Account__c and Vehicle__c hold Salesforce ids: never the app's account or vehicle column.
    expect(entity(config, 'vehicle').fields).toMatchObject({
      model__c: 'model',
      price__c: 'price',
    });
    expect(entity(config, 'vehicle').fields).not.toHaveProperty('account__c');
    expect(entity(config, 'loan').fields).not.toHaveProperty('vehicle__c');
    expect(entity(config, 'loan').todo).toContainEqual(
      expect.stringMatching(/^vehicle__c holds the Salesforce id of the record it points at/),
    );
  });
});
