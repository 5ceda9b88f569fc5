import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { SchemaCatalog, TableInfo } from '../../src/core/schema/catalog.js';
import { diagnoseMirror, diagnoseSource } from '../../src/core/schema/diagnose.js';
import { smallConfig } from '../support/config-text.js';

const config = parseConfig(JSON.stringify(smallConfig()), 'cfg.json');

function table(
  columns: string[],
  options: { unique?: string[]; indexed?: string[]; triggers?: string[] } = {},
): TableInfo {
  return {
    columns: new Map(columns.map((name) => [name, { type: 'text', maxLength: null }])),
    uniqueColumns: new Set(options.unique ?? []),
    ...(options.indexed ? { indexedColumns: new Set(options.indexed) } : {}),
    triggers: new Set(options.triggers ?? []),
  };
}

function catalog(
  schema: string,
  tables: Record<string, TableInfo>,
  extra: Partial<SchemaCatalog> = {},
): SchemaCatalog {
  return {
    serverVersion: '17.9',
    schema,
    schemaExists: true,
    tables: new Map(Object.entries(tables)),
    functions: new Set(),
    xmlbinary: undefined,
    ...extra,
  };
}

const SYSTEM = ['id', 'sfid', '_hc_lastop', '_hc_err', 'systemmodstamp', 'isdeleted'];
const connectTriggers = (t: string) => [`hc_${t}_status_trigger`, `hc_${t}_logtrigger`];

function healthyMirror(): Record<string, TableInfo> {
  return {
    editor__c: table([...SYSTEM, 'editoruuid__c', 'name', 'country__c'], {
      unique: ['editoruuid__c', 'sfid'],
      triggers: connectTriggers('editor__c'),
    }),
    contact: table([...SYSTEM, 'pi_accounts_unique_id__c'], {
      unique: ['pi_accounts_unique_id__c'],
      triggers: connectTriggers('contact'),
    }),
    contact_editor_affiliation__c: table(
      [
        ...SYSTEM,
        'affiliation_id__c',
        'editor__r__editoruuid__c',
        'contact__r__pi_accounts_unique_id__c',
      ],
      {
        unique: ['affiliation_id__c'],
        triggers: connectTriggers('contact_editor_affiliation__c'),
      },
    ),
    _trigger_log: table(['id']),
    _trigger_log_archive: table(['id']),
  };
}

const codes = (findings: { level: string; code: string; entity?: string | undefined }[]) =>
  findings.map((f) => `${f.level}:${f.code}${f.entity ? `:${f.entity}` : ''}`);

describe('diagnoseSource', () => {
  const healthy = {
    schools: table(['id', 'name', 'country_code'], { unique: ['id'] }),
    roles: table(['id', 'school_id', 'user_id'], { unique: ['id'] }),
  };

  it('finds nothing wrong with a matching source', () => {
    expect(diagnoseSource(config.entities, catalog('public', healthy))).toEqual([]);
  });

  it('reports a missing schema once and nothing else', () => {
    expect(
      codes(diagnoseSource(config.entities, catalog('public', {}, { schemaExists: false }))),
    ).toEqual(['error:schema_missing']);
  });

  it('reports a missing table with the nearest name', () => {
    const findings = diagnoseSource(
      config.entities,
      catalog('public', { school: healthy.schools, roles: healthy.roles }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'table_missing',
        entity: 'school',
        message: 'table public.schools does not exist — did you mean "school"?',
      }),
    ]);
  });

  it('reports missing key, field and parent columns with the config key that names them', () => {
    const findings = diagnoseSource(
      config.entities,
      catalog('public', { schools: table(['uuid', 'nme']), roles: table(['id', 'school']) }),
    );
    expect(findings.filter((f) => f.level === 'error').map((f) => f.message)).toEqual([
      'source.key: column public.schools.id does not exist',
      'fields.name: column public.schools.name does not exist — did you mean "nme"?',
      'parents (school).column: ' +
        'column public.roles.school_id does not exist — did you mean "school"?',
      'parents (contact).column: column public.roles.user_id does not exist',
    ]);
  });

  it('warns when the source key is not unique', () => {
    const findings = diagnoseSource(
      config.entities,
      catalog('public', { ...healthy, roles: table(['id', 'school_id', 'user_id']) }),
    );
    expect(codes(findings)).toEqual(['warning:source_key_not_unique:role']);
  });
});

describe('diagnoseMirror', () => {
  const withXml = { functions: new Set(['get_xmlbinary']), xmlbinary: 'base64' };

  it('reports a healthy Connect schema with information only', () => {
    const findings = diagnoseMirror(
      config.entities,
      catalog('salesforce', healthyMirror(), withXml),
    );
    expect(findings.every((f) => f.level === 'info')).toBe(true);
    expect(codes(findings)).toEqual([
      'info:connect_triggers_present:school',
      'info:connect_triggers_present:contact',
      'info:connect_triggers_present:role',
      'info:trigger_log_present',
      'info:xmlbinary_captured',
    ]);
  });

  it('notes a trigger log without an index on record_id, as Connect leaves the live one', () => {
    const tables = healthyMirror();
    tables._trigger_log = table(['id', 'record_id'], { indexed: ['id', 'created_at'] });
    tables._trigger_log_archive = table(['id', 'record_id'], { indexed: ['record_id'] });
    const findings = diagnoseMirror(config.entities, catalog('salesforce', tables, withXml));
    const unindexed = findings.filter((f) => f.code === 'trigger_log_unindexed');
    expect(unindexed).toEqual([
      expect.objectContaining({ level: 'info', database: 'mirror', entity: undefined }),
    ]);
    expect(unindexed[0]!.message).toMatch(
      /^salesforce\._trigger_log has no index on record_id \(Connect creates one on the archive/,
    );
    expect(unindexed[0]!.message).toContain("sfsync adds no index to Connect's tables");
  });

  it('warns about an external ID without a unique index', () => {
    const tables = healthyMirror();
    tables.editor__c = table([...SYSTEM, 'editoruuid__c', 'name', 'country__c'], {
      triggers: connectTriggers('editor__c'),
    });
    const findings = diagnoseMirror(config.entities, catalog('salesforce', tables, withXml));
    expect(findings).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        code: 'external_id_not_unique',
        message:
          'salesforce.editor__c.editoruuid__c has no unique index: ' +
          'audits and repairs will be slow and duplicate mirror rows are possible',
      }),
    );
  });

  it('refuses a table without Connect system columns', () => {
    const tables = healthyMirror();
    tables.contact = table(['pi_accounts_unique_id__c'], { unique: ['pi_accounts_unique_id__c'] });
    const findings = diagnoseMirror(config.entities, catalog('salesforce', tables, withXml));
    expect(findings).toContainEqual(
      expect.objectContaining({
        level: 'error',
        code: 'not_a_mirror_table',
        message:
          "salesforce.contact lacks Heroku Connect's id, sfid, _hc_lastop, _hc_err columns: " +
          'is it a Connect mirror table?',
      }),
    );
    expect(codes(findings)).toContain('info:connect_triggers_missing:contact');
  });

  it('reports missing field and lookup columns', () => {
    const tables = healthyMirror();
    tables.contact_editor_affiliation__c = table(
      [...SYSTEM, 'affiliation_id__c', 'editor__r__editoruuid'],
      { unique: ['affiliation_id__c'] },
    );
    const messages = diagnoseMirror(config.entities, catalog('salesforce', tables, withXml))
      .filter((f) => f.level === 'error')
      .map((f) => f.message);
    expect(messages).toEqual([
      'parents (school).lookup: ' +
        'column salesforce.contact_editor_affiliation__c.editor__r__editoruuid__c does not exist' +
        ' — did you mean "editor__r__editoruuid"?',
      'parents (contact).lookup: column salesforce.contact_editor_affiliation__c' +
        '.contact__r__pi_accounts_unique_id__c does not exist',
    ]);
  });

  it("is an error when this session's writes would not be captured", () => {
    const findings = diagnoseMirror(
      config.entities,
      catalog('salesforce', healthyMirror(), {
        functions: new Set(['get_xmlbinary']),
        xmlbinary: 'hex',
      }),
    );
    expect(codes(findings)).toContain('error:xmlbinary_not_captured');
  });

  it('warns when the database has no get_xmlbinary() and no trigger log', () => {
    const tables = healthyMirror();
    delete tables._trigger_log_archive;
    const findings = diagnoseMirror(config.entities, catalog('salesforce', tables));
    expect(codes(findings)).toEqual(
      expect.arrayContaining(['warning:get_xmlbinary_missing', 'info:trigger_log_missing']),
    );
    expect(findings.find((f) => f.code === 'trigger_log_missing')?.message).toMatch(
      /^no _trigger_log_archive in salesforce/,
    );
  });
});
