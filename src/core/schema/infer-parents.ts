import type { ColumnInfo } from './catalog.js';
import type { InferInput, SchemaStructure } from './infer-config.js';
import { type Draft, LOOKUP, normalise } from './infer-draft.js';
import { relationshipObject } from './salesforce-references.js';

type ForeignKey = SchemaStructure['foreignKeys'][number];

/** A mirror column that holds a parent's external ID, as Connect names one. */
interface LookupColumn {
  readonly lookup: string;
  readonly relationship: string;
  readonly parentExternalId: string;
  /** `<object>__<extfield>`, the naming of older Connect mappings: linked only by its object. */
  readonly older: boolean;
}

/**
 * Links each external-ID lookup of the draft's mirror table to its parent entity and the source
 * column that holds the parent's key; what it cannot settle becomes a `todo` note. Objects that
 * share an external-ID name are told apart by the relationship's name and the app's foreign keys.
 */
export function linkParents(draft: Draft, input: InferInput, drafts: readonly Draft[]): void {
  const columns = input.mirror.catalog.tables.get(draft.table)!.columns;
  const foreignKeys = input.source.structure.foreignKeys.filter(
    (fk) => fk.table === draft.sourceTable,
  );
  const sourceColumns = [
    ...(input.source.catalog.tables.get(draft.sourceTable!)?.columns.keys() ?? []),
  ];
  for (const found of lookupColumns(draft, columns, drafts)) {
    const { lookup } = found;
    draft.lookups.add(lookup);
    const parent = resolveParent(draft, found, drafts, foreignKeys);
    if (typeof parent === 'string') {
      draft.todo.push(parent);
      continue;
    }
    const link = parentColumn(found.relationship, parent, foreignKeys, sourceColumns);
    const parentEntry = `{ "entity": "${parent.name}", "column": "…", "lookup": "${lookup}" }`;
    if (!link) {
      draft.todo.push(
        `lookup ${lookup} points at ${parent.name}: ` +
          `name the source column of ${draft.sourceTable} that holds the ${parent.name}'s key, ` +
          `and add ${parentEntry} to parents`,
      );
      continue;
    }
    const { column, fk } = link;
    if (fk && parent.key !== undefined && fk.refColumn !== parent.key) {
      // The lookup holds the parent's external ID; a foreign key to another column holds
      // something else (accounts.id beside accounts.uuid): comparing them would be all drift.
      draft.todo.push(
        `lookup ${lookup} points at ${parent.name}, but ${draft.sourceTable}.${column} ` +
          `references ${fk.refTable}.${fk.refColumn}, not ${parent.name}'s key ` +
          `${parent.sourceTable}.${parent.key} (what the lookup holds): give the link a source ` +
          `column holding ${parent.key} (a view over ${draft.sourceTable} joining ` +
          `${fk.refTable}), then add ${parentEntry} to parents`,
      );
      continue;
    }
    const optional = input.source.structure.nullableColumns.get(draft.sourceTable!)?.has(column);
    draft.parents.push({
      entity: parent.name,
      column,
      lookup,
      ...(optional ? { optional: true as const } : {}),
    });
  }
}

function lookupColumns(
  draft: Draft,
  columns: ReadonlyMap<string, ColumnInfo>,
  drafts: readonly Draft[],
): LookupColumn[] {
  const found: LookupColumn[] = [];
  for (const column of columns.keys()) {
    const match = LOOKUP.exec(column);
    if (match) {
      found.push({
        lookup: column,
        relationship: match[1]!,
        parentExternalId: match[2]!,
        older: false,
      });
      continue;
    }
    const older = olderLookup(draft, column, drafts);
    if (older) found.push(older);
  }
  return found;
}

/**
 * `account__externalid__c`: an object's name, `__`, and that object's external-ID field. Only a
 * mapped table's name counts as the object, so a managed package's namespaced field
 * (`npsp__externalid__c`) is never taken for a lookup.
 */
function olderLookup(
  draft: Draft,
  column: string,
  drafts: readonly Draft[],
): LookupColumn | undefined {
  if (column === draft.externalId) return undefined;
  for (let at = column.indexOf('__'); at > 0; at = column.indexOf('__', at + 2)) {
    const [object, field] = [column.slice(0, at), column.slice(at + 2)];
    const parent = drafts.find((d) => normalise(d.table) === normalise(object));
    if (parent && parent.externalId === field)
      return { lookup: column, relationship: object, parentExternalId: field, older: true };
  }
  return undefined;
}

/** The parent draft, or the note that says why there is none. */
function resolveParent(
  draft: Draft,
  found: LookupColumn,
  drafts: readonly Draft[],
  foreignKeys: readonly ForeignKey[],
): Draft | string {
  const { lookup, relationship, parentExternalId } = found;
  const candidates = drafts.filter((d) => d.externalId === parentExternalId);
  if (candidates.length === 0)
    return (
      `lookup ${lookup}: no mapped table has ${parentExternalId} as its external ID ` +
      '(an unmapped parent?); add the parent by hand'
    );
  const named = byRelationship(draft.table, relationship, candidates);
  if (found.older || candidates.length === 1) return named[0] ?? candidates[0]!;
  if (named.length === 1) return named[0]!;
  const referenced = candidates.filter((d) =>
    foreignKeys.some((fk) => d.sourceTable !== undefined && fk.refTable === d.sourceTable),
  );
  if (referenced.length === 1) return referenced[0]!;
  return (
    `lookup ${lookup}: ${candidates.map((p) => p.name).join(' and ')} all use ` +
    `${parentExternalId} as external ID, and neither the relationship name ${relationship} ` +
    `nor a foreign key of ${draft.sourceTable ?? 'the source table'} tells which one it ` +
    'points at; add the right parent by hand'
  );
}

/**
 * The candidates the relationship names: the object itself (`account` → account), one it ends
 * with (`primary_account` → account), or Salesforce's standard relationship (`reportsto` on a
 * contact → contact). An exact name wins over an ending.
 */
function byRelationship(table: string, relationship: string, candidates: readonly Draft[]) {
  const rel = normalise(relationship);
  const standard = relationshipObject(table, relationship);
  const exact = candidates.filter((d) => normalise(d.table) === rel || d.table === standard);
  if (exact.length > 0) return exact;
  return candidates.filter((d) => rel.endsWith(normalise(d.table)));
}

/**
 * The source column holding the parent's key: the one foreign key to the
 * parent's source table, else a column named after the relationship
 * (`teacher_id` for `contact_teacher__r__…`, `school_id` for `school__r__…`).
 */
function parentColumn(
  relationship: string,
  parent: Draft,
  foreignKeys: readonly ForeignKey[],
  sourceColumns: readonly string[],
): { column: string; fk?: ForeignKey } | undefined {
  const toParent = parent.sourceTable
    ? foreignKeys.filter((fk) => fk.refTable === parent.sourceTable)
    : [];
  if (toParent.length === 1) return { column: toParent[0]!.column, fk: toParent[0]! };
  const rel = normalise(relationship);
  const named = sourceColumns.filter((c) => {
    const stem = normalise(c.replace(/_?id$/i, ''));
    return /_?id$/i.test(c) && stem.length > 0 && (rel === stem || rel.endsWith(stem));
  });
  const fromCandidates = toParent.filter((fk) => named.includes(fk.column));
  if (fromCandidates.length === 1)
    return { column: fromCandidates[0]!.column, fk: fromCandidates[0]! };
  return named.length === 1 && toParent.length === 0 ? { column: named[0]! } : undefined;
}
