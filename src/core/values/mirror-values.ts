import type { WritableEntity } from '../entities/entity.js';
import type { SourceRow } from '../audit/types.js';

/**
 * The columns sfsync writes for a source row: the external ID, the mapped
 * fields, and each parent's external ID in its lookup column — on insert,
 * all but the deferred lookups (set later by an update, `only`). Never a
 * column Connect owns (config validation guarantees it).
 */
export function mirrorValues(
  entity: WritableEntity,
  row: SourceRow,
  only?: readonly string[],
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (!only) values[entity.mirror.externalId] = row.key;
  for (const field of entity.fields) {
    if (!only || only.includes(field.mirrorColumn))
      values[field.mirrorColumn] = row.fields[field.mirrorColumn] ?? null;
  }
  for (const parent of entity.parents) {
    if (only ? only.includes(parent.lookup) : !parent.deferred)
      values[parent.lookup] = row.parents[parent.lookup] ?? null;
  }
  return values;
}
