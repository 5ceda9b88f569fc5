import { keyColumns, type Entity, type WritableEntity } from '../entities/entity.js';
import type { SchemaCatalog, TableInfo } from './catalog.js';
import {
  CAPTURED_XMLBINARY,
  connectTriggerNames,
  REQUIRED_MIRROR_COLUMNS,
  TRIGGER_LOG_TABLES,
} from '../connect/heroku-connect.js';
import { quoteIdent } from '../repair/grants.js';
import { didYouMean } from '../suggest.js';

export type FindingLevel = 'error' | 'warning' | 'info';

export interface Finding {
  readonly level: FindingLevel;
  /** Stable identifier for machines; see the README's doctor section. */
  readonly code: string;
  /** Where the problem is: a database, or the config itself (a note sfsync init left). */
  readonly database: 'source' | 'mirror' | 'config';
  readonly entity: string | undefined;
  readonly message: string;
}

/**
 * What doctor concludes from the source catalog: pure, so every rule is tested without a database.
 */
export function diagnoseSource(entities: readonly Entity[], catalog: SchemaCatalog): Finding[] {
  const findings: Finding[] = [];
  const writable = entities.filter((e): e is WritableEntity => !e.readOnly);
  if (!schemaPresent(catalog, 'source', findings) || writable.length === 0) return findings;

  for (const entity of writable) {
    const add = finder(findings, 'source', entity.name);
    const table = tablePresent(catalog, entity.source.table, add);
    if (!table) continue;
    const where = `${catalog.schema}.${entity.source.table}`;
    for (const column of keyColumns(entity.source.key))
      columnPresent(table, column, `source.key`, where, add);
    for (const field of entity.fields) {
      if (field.source.kind === 'column')
        columnPresent(table, field.source.column, `fields.${field.mirrorColumn}`, where, add);
    }
    for (const parent of entity.parents)
      columnPresent(table, parent.column, `parents (${parent.entity}).column`, where, add);
    const key = entity.source.key;
    if (
      key.kind === 'column' &&
      table.columns.has(key.column) &&
      !table.uniqueColumns.has(key.column)
    ) {
      add(
        'warning',
        'source_key_not_unique',
        `${where}.${key.column} has no unique index: two source rows could claim one external ID`,
      );
    }
  }
  return findings;
}

/** What doctor concludes from the mirror catalog. */
export function diagnoseMirror(entities: readonly Entity[], catalog: SchemaCatalog): Finding[] {
  const findings: Finding[] = [];
  if (!schemaPresent(catalog, 'mirror', findings)) return findings;
  const add = finder(findings, 'mirror', undefined);

  for (const entity of entities) {
    const addFor = finder(findings, 'mirror', entity.name);
    const table = tablePresent(catalog, entity.mirror.table, addFor);
    if (!table) continue;
    const where = `${catalog.schema}.${entity.mirror.table}`;
    const missingSystem = REQUIRED_MIRROR_COLUMNS.filter((column) => !table.columns.has(column));
    if (missingSystem.length > 0) {
      const columns = `${missingSystem.join(', ')} column${missingSystem.length > 1 ? 's' : ''}`;
      addFor(
        'error',
        'not_a_mirror_table',
        `${where} lacks Heroku Connect's ${columns}: is it a Connect mirror table?`,
      );
    }
    columnPresent(table, entity.mirror.externalId, 'mirror.externalId', where, addFor);
    if (
      table.columns.has(entity.mirror.externalId) &&
      !table.uniqueColumns.has(entity.mirror.externalId)
    ) {
      addFor(
        'warning',
        'external_id_not_unique',
        `${where}.${entity.mirror.externalId} has no unique index: ` +
          'audits and repairs will be slow and duplicate mirror rows are possible',
      );
    }
    for (const field of entity.fields)
      columnPresent(table, field.mirrorColumn, `fields.${field.mirrorColumn}`, where, addFor);
    for (const parent of entity.parents)
      columnPresent(table, parent.lookup, `parents (${parent.entity}).lookup`, where, addFor);

    const names = connectTriggerNames(entity.mirror.table);
    const missing = [names.status, names.logger].filter((name) => !table.triggers.has(name));
    if (missing.length === 0)
      addFor(
        'info',
        'connect_triggers_present',
        `${where} has Connect's status and logger triggers`,
      );
    else
      addFor(
        'info',
        'connect_triggers_missing',
        `${where} has no ${missing.join(' or ')}: ` +
          'writes here are not sent to Salesforce by Connect',
      );
  }

  const logs = TRIGGER_LOG_TABLES.filter((name) => catalog.tables.has(name));
  if (logs.length === TRIGGER_LOG_TABLES.length) {
    add(
      'info',
      'trigger_log_present',
      `${TRIGGER_LOG_TABLES.join(' and ')} found: audits can use their evidence`,
    );
  } else {
    const absent = TRIGGER_LOG_TABLES.filter((n) => !logs.includes(n)).join(' or ');
    add(
      'info',
      'trigger_log_missing',
      `no ${absent} in ${catalog.schema}: audits will age rows without trigger-log evidence`,
    );
  }
  for (const name of logs) {
    const indexed = catalog.tables.get(name)!.indexedColumns;
    if (indexed && !indexed.has('record_id'))
      add(
        'info',
        'trigger_log_unindexed',
        `${catalog.schema}.${name} has no index on record_id (Connect creates one on the ` +
          "archive only): the audit's evidence for unsynced rows, `sfsync why` and the settling " +
          'of written rows scan it, quick while Connect keeps the live log short; sfsync adds no ' +
          "index to Connect's tables",
      );
  }

  if (catalog.xmlbinaryDenied) {
    const role = quoteIdent(catalog.role ?? 'the_role');
    const grant = `GRANT EXECUTE ON FUNCTION public.get_xmlbinary() TO ${role}`;
    add(
      'warning',
      'get_xmlbinary_denied',
      'this role may not execute get_xmlbinary(): audits work, but repair and backfill cannot ' +
        `(Connect's own triggers call it on every write): ${grant}`,
    );
  } else if (catalog.xmlbinary === undefined) {
    add(
      'warning',
      'get_xmlbinary_missing',
      'no get_xmlbinary() function: this does not look like a Heroku Connect database, ' +
        'so sfsync cannot prove its writes would be captured',
    );
  } else if (catalog.xmlbinary !== CAPTURED_XMLBINARY) {
    add(
      'error',
      'xmlbinary_not_captured',
      `this session's get_xmlbinary() is '${catalog.xmlbinary}', not '${CAPTURED_XMLBINARY}': ` +
        "Connect would ignore sfsync's writes (check the role's or database's xmlbinary setting)",
    );
  } else {
    add(
      'info',
      'xmlbinary_captured',
      `get_xmlbinary() is '${CAPTURED_XMLBINARY}': sfsync's writes will be captured by Connect`,
    );
  }
  return findings;
}

type Add = (level: FindingLevel, code: string, message: string) => void;

function finder(
  findings: Finding[],
  database: Finding['database'],
  entity: string | undefined,
): Add {
  return (level, code, message) => findings.push({ level, code, database, entity, message });
}

function schemaPresent(
  catalog: SchemaCatalog,
  database: Finding['database'],
  findings: Finding[],
): boolean {
  if (catalog.schemaExists) return true;
  finder(findings, database, undefined)(
    'error',
    'schema_missing',
    `schema ${catalog.schema} does not exist`,
  );
  return false;
}

function tablePresent(catalog: SchemaCatalog, name: string, add: Add): TableInfo | undefined {
  const table = catalog.tables.get(name);
  if (!table)
    add(
      'error',
      'table_missing',
      `table ${catalog.schema}.${name} does not exist${didYouMean(name, catalog.tables.keys())}`,
    );
  return table;
}

function columnPresent(
  table: TableInfo,
  column: string,
  configKey: string,
  where: string,
  add: Add,
): void {
  if (!table.columns.has(column)) {
    add(
      'error',
      'column_missing',
      `${configKey}: column ${where}.${column} does not exist` +
        didYouMean(column, table.columns.keys()),
    );
  }
}

/** The notes `sfsync init` left in the config, until a person settles them. */
export function diagnoseTodos(
  todos: readonly { readonly entity: string | undefined; readonly note: string }[],
): Finding[] {
  return todos.map((todo) => ({
    level: 'warning' as const,
    code: 'config_todo',
    database: 'config' as const,
    entity: todo.entity,
    message: todo.note,
  }));
}
