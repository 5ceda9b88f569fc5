import type { WritableEntity } from '../config/types.js';
import type { SourceRow } from '../core/audit-types.js';

/**
 * Turns rows of sourceRowsQuery into SourceRows (null for a row whose key is
 * NULL); the column aliases are worked out once per entity.
 */
export function sourceRowMapper(entity: WritableEntity): (row: Record<string, unknown>) => SourceRow | null {
  const fieldColumns = entity.fields.map((f) => [f.mirrorColumn, `f:${f.mirrorColumn}`] as const);
  const parentColumns = entity.parents.map((p) => [p.entity, `p:${p.entity}`] as const);
  return (row) => {
    if (row.key === null || row.key === undefined) return null;
    const fields: Record<string, unknown> = {};
    for (const [column, alias] of fieldColumns) fields[column] = row[alias];
    const parents: Record<string, string | null> = {};
    for (const [parent, alias] of parentColumns) parents[parent] = (row[alias] as string | null) ?? null;
    return { key: row.key as string, fields, parents };
  };
}
