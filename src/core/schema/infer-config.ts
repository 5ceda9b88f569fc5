import type { SchemaCatalog, TableInfo } from './catalog.js';
import { CONNECT_OWNED_COLUMNS, REQUIRED_MIRROR_COLUMNS } from '../connect/heroku-connect.js';
import { isPlainIdentifier, MAX_IDENTIFIER_LENGTH, RESERVED_NAMES } from '../identifier.js';
import { plainCatalog, plainStructure, type LeftOut } from './plain-names.js';
import { quote } from '../quote.js';
import { type Draft, LOOKUP, normalise } from './infer-draft.js';
import { linkParents } from './infer-parents.js';
import { referencedObject } from './salesforce-references.js';

export { normalise };

/** Keys of one schema, beyond what the catalog holds. */
export interface SchemaStructure {
  /** Columns of each table's primary key, in order. */
  readonly primaryKeys: ReadonlyMap<string, readonly string[]>;
  /** Single-column foreign keys. */
  readonly foreignKeys: readonly {
    readonly table: string;
    readonly column: string;
    readonly refTable: string;
    readonly refColumn: string;
  }[];
  readonly nullableColumns: ReadonlyMap<string, ReadonlySet<string>>;
}

/** One object of a Heroku Connect mapping export, names lower-cased as the mirror has them. */
export interface ExportedMapping {
  /** The mirror table: the object name, lower-cased. */
  readonly table: string;
  readonly readOnly: boolean;
  /** Mapped fields, lower-cased. */
  readonly fields: ReadonlySet<string>;
  /** The upsert field, or the one unique index, lower-cased. */
  readonly externalId: string | undefined;
}

export interface InferInput {
  readonly mirror: {
    readonly schema: string;
    readonly url: string;
    readonly catalog: SchemaCatalog;
    readonly readOnlyTables: ReadonlySet<string>;
  };
  readonly source: {
    readonly schema: string;
    readonly url: string;
    readonly catalog: SchemaCatalog;
    readonly structure: SchemaStructure;
  };
  /** Mirror table → source table, as the user said (`--map`). */
  readonly tableMap: ReadonlyMap<string, string>;
  /** From `--from-export`: the objects, their access, fields and external IDs. */
  readonly exported?: readonly ExportedMapping[] | undefined;
  /**
   * Rows per table (exact or the planner's estimate), to tell when the app syncs only some of its
   * rows.
   */
  readonly rowCounts?:
    | { readonly source: ReadonlyMap<string, number>; readonly mirror: ReadonlyMap<string, number> }
    | undefined;
}

/**
 * A starter config: valid JSON for sfsync.config.json, with `todo` notes where inference stopped.
 */
export interface InferredConfig {
  readonly config: Record<string, unknown>;
  readonly todos: number;
}

/** Columns Connect or Salesforce fill in, never mapped from the app. */
const SALESFORCE_OWNED = new Set([
  ...CONNECT_OWNED_COLUMNS,
  'lastmodifieddate',
  'createdbyid',
  'lastmodifiedbyid',
  'ownerid',
  'recordtypeid',
]);

/** Standard objects whose Name is a read-only compound of FirstName and LastName. */
const COMPOUND_NAMES = new Set(['contact', 'lead', 'user']);

/**
 * Infers a config from the mirror (mapped tables, external IDs, lookups,
 * read-only mappings) and the source (tables and columns whose names match
 * after Salesforce-style normalisation, primary keys, foreign keys). What it
 * cannot tell — a source table no name matches, a lookup no foreign key
 * explains, a mirror field with no source column — becomes a `todo` note, and
 * the config stays valid: an entity without a source is read-only until mapped.
 * Tables and columns whose names a config cannot hold (quotes, dots, non-ASCII,
 * control characters) are left out, each table with a note.
 */
export function inferConfig(given: InferInput): InferredConfig {
  const mirrorNames = plainCatalog(given.mirror.catalog);
  const sourceNames = plainCatalog(given.source.catalog);
  const input: InferInput = {
    ...given,
    mirror: { ...given.mirror, catalog: mirrorNames.catalog },
    source: {
      ...given.source,
      catalog: sourceNames.catalog,
      structure: plainStructure(given.source.structure),
    },
  };
  const exported = input.exported ? new Map(input.exported.map((m) => [m.table, m])) : undefined;
  const isMapped = (table: string, info: TableInfo) =>
    !table.startsWith('_') &&
    REQUIRED_MIRROR_COLUMNS.every((c) => info.columns.has(c)) &&
    (!exported || exported.has(table));
  const topTodo: string[] = [
    ...mirrorNames.leftOut.tables
      .filter((t) => isMapped(t, given.mirror.catalog.tables.get(t)!))
      .map((t) => leftOutNote('mirror', t)),
    ...sourceNames.leftOut.tables.map((t) => leftOutNote('source', t)),
  ];
  const drafts: Draft[] = [];

  for (const [table, info] of [...input.mirror.catalog.tables].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (!isMapped(table, info)) continue;
    const mapping = exported?.get(table);
    const externalId = pickExternalId(
      table,
      [...info.uniqueColumns],
      [...info.columns.keys()],
      mapping,
    );
    if ('todo' in externalId) {
      topTodo.push(externalId.todo);
      continue;
    }
    drafts.push({
      name: entityName(table, drafts),
      table,
      externalId: externalId.column,
      readOnly: mapping?.readOnly ?? input.mirror.readOnlyTables.has(table),
      sourceTable: undefined,
      key: undefined,
      fields: {},
      parents: [],
      lookups: new Set(),
      todo: externalId.note ? [externalId.note] : [],
    });
  }
  for (const mapping of input.exported ?? []) {
    // One left out for its name already has its note.
    if (!given.mirror.catalog.tables.has(mapping.table))
      topTodo.push(
        `the export maps ${shown(mapping.table)}, ` +
          'but the mirror schema has no such table (not synced yet?)',
      );
  }

  const sourceTables = [...input.source.catalog.tables.keys()];
  for (const draft of drafts) if (!draft.readOnly) matchSource(draft, input, sourceTables);
  for (const draft of drafts) noteLeftOutColumns(draft, mirrorNames.leftOut, sourceNames.leftOut);
  for (const draft of drafts) {
    if (draft.readOnly) continue;
    linkParents(draft, input, drafts);
    mapFields(draft, input, exported?.get(draft.table));
    suggestFilter(draft, input.rowCounts);
  }

  const config = {
    $schema: './node_modules/sfsync/schema/sfsync.config.schema.json',
    source: { url: input.source.url, schema: input.source.schema },
    mirror: { url: input.mirror.url, schema: input.mirror.schema },
    entities: drafts.map(render),
    ...(topTodo.length > 0 ? { todo: topTodo } : {}),
  };
  return { config, todos: topTodo.length + drafts.reduce((n, d) => n + d.todo.length, 0) };
}

function pickExternalId(
  table: string,
  unique: readonly string[],
  columns: readonly string[],
  mapping: ExportedMapping | undefined,
): { column: string; note?: string } | { todo: string } {
  const candidates = unique.filter((c) => c !== 'id' && c !== 'sfid');
  if (mapping?.externalId) {
    if (candidates.includes(mapping.externalId)) return { column: mapping.externalId };
    if (!isPlainIdentifier(mapping.externalId))
      return {
        todo:
          `${table}: the export's unique identifier ${shown(mapping.externalId)} ` +
          `is not a name the config can hold${PLAIN_NAMES}; left out`,
      };
    if (!columns.includes(mapping.externalId))
      return {
        todo:
          `${table}: the export names ${mapping.externalId} as its unique identifier, ` +
          'but the mirror table has no such column',
      };
    return {
      column: mapping.externalId,
      note:
        `the mirror has no unique index on ${mapping.externalId} ` +
        "(the export's unique identifier): " +
        'audits are slower and duplicates go unprevented; sfsync doctor says more',
    };
  }
  if (candidates.length === 1) return { column: candidates[0]! };
  // A custom field is the usual external ID (Connect names its index hcu_idx_<table>_<column>).
  const custom = candidates.filter((c) => c.endsWith('__c'));
  if (custom.length === 1) return { column: custom[0]! };
  return {
    todo:
      candidates.length === 0
        ? `${table}: no unique external-ID column ` +
          '(mark a field "Unique identifier" in the Connect mapping, ' +
          'or run init with --from-export), so sfsync cannot join it; left out'
        : `${table}: several unique columns (${candidates.join(', ')}); ` +
          "add it with the one that holds the app's key as externalId",
  };
}

/**
 * editor__c → editor; contact → contact; the table's own name where that one is not a plain
 * identifier or is taken (account beside account__c).
 */
function entityName(table: string, named: readonly Draft[]): string {
  const name = table.replace(/__c$/, '');
  return isPlainIdentifier(name) && !named.some((d) => d.name === name) ? name : table;
}

const PLAIN_NAMES =
  ' (sfsync names only plain SQL identifiers: ASCII letters, digits and _, ' +
  `at most ${MAX_IDENTIFIER_LENGTH} characters, not ${RESERVED_NAMES.join(', ')})`;

/**
 * A name for a note: as it is when plain, else quoted with its control
 * characters escaped, so no note carries one raw; whole, as PostgreSQL's names are short.
 */
function shown(name: string): string {
  return isPlainIdentifier(name) ? name : quote(name, MAX_IDENTIFIER_LENGTH);
}

function leftOutNote(role: 'source' | 'mirror', table: string): string {
  const instead =
    role === 'source'
      ? '; map a view with a plain name over it instead (--map)'
      : '; sfsync cannot audit or write it';
  return (
    `${role} table ${shown(table)} left out: ` +
    `its name is not one the config can hold${PLAIN_NAMES}${instead}`
  );
}

function noteLeftOutColumns(draft: Draft, mirror: LeftOut, source: LeftOut): void {
  const columns = [
    ...(mirror.columns.get(draft.table) ?? []).map((c) => `${draft.table}.${shown(c)}`),
    ...(draft.sourceTable ? (source.columns.get(draft.sourceTable) ?? []) : []).map(
      (c) => `${draft.sourceTable}.${shown(c)}`,
    ),
  ];
  if (columns.length > 0)
    draft.todo.push(
      `columns left out, their names not ones the config can hold${PLAIN_NAMES}: ` +
        columns.join(', '),
    );
}

function pluralForms(name: string): string[] {
  const forms = [name, `${name}s`, `${name}es`];
  if (name.endsWith('y')) forms.push(`${name.slice(0, -1)}ies`);
  return forms;
}

function matchSource(draft: Draft, input: InferInput, sourceTables: readonly string[]): void {
  const mapped = input.tableMap.get(draft.table);
  if (mapped !== undefined && !input.source.catalog.tables.has(mapped)) {
    draft.todo.push(`--map ${draft.table}=${mapped}: the source schema has no table ${mapped}`);
  }
  const forms = pluralForms(normalise(draft.table));
  const candidates =
    mapped !== undefined
      ? [mapped].filter((t) => input.source.catalog.tables.has(t))
      : sourceTables.filter((t) => forms.includes(normalise(t)));
  if (candidates.length !== 1) {
    draft.readOnly = true;
    draft.todo.push(
      candidates.length === 0
        ? `no source table matches ${draft.table} by name: set source.table and source.key ` +
            `(or run init with --map ${draft.table}=<table>), then remove "readOnly"`
        : `several source tables match ${draft.table} (${candidates.join(', ')}): ` +
            'pick one as source.table (or --map), then remove "readOnly"',
    );
    return;
  }
  draft.sourceTable = candidates[0]!;
  const named = keyByName(draft, input);
  if (named) {
    draft.key = named;
    return;
  }
  const pk = input.source.structure.primaryKeys.get(draft.sourceTable) ?? [];
  if (pk.length === 1) {
    draft.key = pk[0]!;
    return;
  }
  draft.readOnly = true;
  const compositeKey = `{ "columns": ${JSON.stringify(pk)}, "separator": "<the app's separator>" }`;
  draft.todo.push(
    pk.length === 0
      ? `source table ${draft.sourceTable} has no primary key: ` +
          'name the column whose value is the external ID as source.key, then remove "readOnly"'
      : `source table ${draft.sourceTable} has a composite primary key (${pk.join(', ')}): ` +
          `if the external ID joins them, set source.key to ${compositeKey} ` +
          '(or name the one column that holds it), then remove "readOnly"',
  );
}

/**
 * A source column that names the external ID: the same name after
 * normalisation (`lesson_uuid` for `lesson_uuid__c`), or, for an external ID
 * called …uuid…, the table's one unique uuid column when the primary key is not one.
 */
function keyByName(draft: Draft, input: InferInput): string | undefined {
  const table = input.source.catalog.tables.get(draft.sourceTable!)!;
  const same = [...table.columns.keys()].filter(
    (c) => normalise(c) === normalise(draft.externalId),
  );
  if (same.length === 1) return same[0];
  const pk = input.source.structure.primaryKeys.get(draft.sourceTable!) ?? [];
  if (
    !/uuid/.test(draft.externalId) ||
    (pk.length === 1 && table.columns.get(pk[0]!)?.type === 'uuid')
  )
    return undefined;
  const uuids = [...table.uniqueColumns].filter((c) => table.columns.get(c)?.type === 'uuid');
  return uuids.length === 1 ? uuids[0] : undefined;
}

function mapFields(draft: Draft, input: InferInput, mapping: ExportedMapping | undefined): void {
  const columns = input.mirror.catalog.tables.get(draft.table)!.columns;
  const relationships = [...columns.keys()].flatMap((c) => LOOKUP.exec(c)?.[1] ?? []);
  // The Salesforce id column of each lookup (editor__c beside editor__r__editoruuid__c, accountid
  // beside account__r__…) is Connect's to fill.
  const referenceColumns = new Set(relationships.flatMap((r) => [`${r}__c`, `${r}id`]));
  const taken = new Set([draft.key, ...draft.parents.map((p) => p.column)]);
  const sourceColumns = [
    ...(input.source.catalog.tables.get(draft.sourceTable!)?.columns.keys() ?? []),
  ].filter((c) => !taken.has(c));
  const unmapped: string[] = [];
  for (const [column, info] of columns) {
    if (
      column === draft.externalId ||
      SALESFORCE_OWNED.has(column) ||
      draft.lookups.has(column) ||
      referenceColumns.has(column)
    )
      continue;
    if (mapping && !mapping.fields.has(column)) continue;
    const matches = sourceColumns.filter((c) => normalise(c) === normalise(column));
    const referenced = referencedObject(draft.table, column, info);
    if (referenced) {
      // An app's account_id is its own key, never the 18-character id Salesforce keeps here.
      if (matches.length === 1) draft.todo.push(salesforceIdNote(column, referenced, matches[0]!));
      continue;
    }
    // A contact's, lead's or user's Name is Salesforce's own: FirstName and LastName joined.
    if (column === 'name' && COMPOUND_NAMES.has(draft.table)) continue;
    // A custom object's Name is often an auto-number Salesforce fills in: mapping it from a
    // same-named column would report every row as drift.
    if (column === 'name' && draft.table.endsWith('__c') && !mapping && matches.length === 1) {
      draft.todo.push(
        "name: Salesforce's Name field (an auto-number on many objects); " +
          `map it to ${matches[0]} only if the app writes it`,
      );
      continue;
    }
    if (matches.length === 1) draft.fields[column] = matches[0]!;
    else unmapped.push(column);
  }
  if (unmapped.length > 0) {
    draft.todo.push(
      'mirror columns with no source column of the same name, ' +
        `left unmapped: ${unmapped.join(', ')} ` +
        '(map each to a column or { "sql": … }, or leave them to Salesforce)',
    );
  }
}

function salesforceIdNote(column: string, object: string, source: string): string {
  const target = object === '*' ? 'the record it points at' : `its ${object}`;
  return (
    `${column} holds the Salesforce id of ${target}, filled by Connect; not mapped from ` +
    `${source}: map "${column}": "${source}" only if ${source} holds Salesforce ids, ` +
    'otherwise link the parent through its external-ID lookup (parents)'
  );
}

/**
 * Which rows an app syncs is a business rule no schema shows (students are not
 * synced, rejected schools are not…). Far more source rows than mirror rows
 * is the sign of one: say so, rather than let the first audit call them all absent.
 */
function suggestFilter(draft: Draft, counts: InferInput['rowCounts']): void {
  const source = counts?.source.get(draft.sourceTable!);
  const mirror = counts?.mirror.get(draft.table);
  if (source === undefined || mirror === undefined || mirror === 0) return;
  if (source - mirror >= Math.max(5, 0.01 * mirror)) {
    draft.todo.push(
      `${draft.sourceTable} has ${source} rows and ${draft.table} ${mirror}: ` +
        'if the app syncs only some rows, add the rule as source.where (SQL over src); ' +
        'otherwise sfsync backfill writes the rest',
    );
  }
}

function render(draft: Draft): Record<string, unknown> {
  const todo = draft.todo.length > 0 ? { todo: draft.todo } : {};
  if (draft.readOnly)
    return {
      name: draft.name,
      readOnly: true,
      mirror: { table: draft.table, externalId: draft.externalId },
      ...todo,
    };
  return {
    name: draft.name,
    source: { table: draft.sourceTable, key: draft.key },
    mirror: { table: draft.table, externalId: draft.externalId },
    fields: draft.fields,
    ...(draft.parents.length > 0 ? { parents: draft.parents } : {}),
    ...todo,
  };
}
