import type { Entity } from '../../config/types.js';

/**
 * How the source and mirror queries name their columns, and how a row of
 * either is read back: `key` is the external ID as text, `f:<mirror column>`
 * each mapped field, `p:<lookup column>` each parent's external ID as text (by lookup, so two
 * lookups to one parent entity — a contact's manager and its assistant — stay apart).
 * Prefixed, so no configured name can collide with another or with `key`.
 */
export const KEY_ALIAS = 'key';
export const FIELD_PREFIX = 'f:';
export const fieldAlias = (mirrorColumn: string): string => `${FIELD_PREFIX}${mirrorColumn}`;
export const parentAlias = (lookup: string): string => `p:${lookup}`;

export interface AliasedValues {
  /** By mirror column. */
  readonly fields: Record<string, unknown>;
  /** By lookup column; null when the column is NULL. */
  readonly parents: Record<string, string | null>;
}

/**
 * Reads the field and parent values out of an aliased row; the aliases are worked out once per
 * entity.
 */
export function aliasedValuesReader(
  entity: Entity,
): (row: Record<string, unknown>) => AliasedValues {
  const fieldColumns = entity.fields.map(
    (f) => [f.mirrorColumn, fieldAlias(f.mirrorColumn)] as const,
  );
  const parentColumns = entity.parents.map((p) => [p.lookup, parentAlias(p.lookup)] as const);
  return (row) => {
    const fields: Record<string, unknown> = {};
    for (const [column, alias] of fieldColumns) fields[column] = row[alias];
    const parents: Record<string, string | null> = {};
    for (const [lookup, alias] of parentColumns)
      parents[lookup] = (row[alias] as string | null) ?? null;
    return { fields, parents };
  };
}
