import type { WritableEntity } from '../config/types.js';
import type { SourceRow } from '../core/audit-types.js';

/** A row of `sourceRowsQuery` as the core's SourceRow; null for a row whose key is NULL. */
export function toSourceRow(row: Record<string, unknown>, entity: WritableEntity): SourceRow | null {
  if (row.key === null || row.key === undefined) return null;
  const fields: Record<string, unknown> = {};
  for (const field of entity.fields) fields[field.mirrorColumn] = row[`f:${field.mirrorColumn}`];
  const parents: Record<string, string | null> = {};
  for (const parent of entity.parents) parents[parent.entity] = (row[`p:${parent.entity}`] as string | null) ?? null;
  return { key: row.key as string, fields, parents };
}
