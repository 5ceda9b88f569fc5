import { sql, type RawBuilder } from 'kysely';
import type { WritableEntity } from '../../config/types.js';
import type { SourceRow } from '../../core/audit/types.js';
import { aliasedValuesReader, fieldAlias, KEY_ALIAS, parentAlias } from './row-aliases.js';
import type { SourceTable } from '../entity-tables.js';

/**
 * The one query that reads an entity's source rows. Identifiers come from
 * validated config and go through sql.ref/sql.table; `where` and `{ "sql": … }`
 * fields are trusted config by contract and are wrapped in parentheses so they
 * cannot change the shape of the statement around them.
 * Columns as row-aliases.ts names them.
 */
export function sourceRowsQuery(
  { entity, table }: SourceTable,
  filter?: RawBuilder<unknown>,
  value: ValueOf = parameter,
): RawBuilder<Record<string, unknown>> {
  const columns = [
    sql`${keyExpression(entity, value)}::text as ${sql.id(KEY_ALIAS)}`,
    ...entity.fields.map((field) => {
      const value =
        field.source.kind === 'column'
          ? sql.ref(`src.${field.source.column}`)
          : sql`(${sql.raw(field.source.sql)})`;
      return sql`${value} as ${sql.id(fieldAlias(field.mirrorColumn))}`;
    }),
    ...entity.parents.map(
      (parent) =>
        sql`${sql.ref(`src.${parent.column}`)}::text as ${sql.id(parentAlias(parent.lookup))}`,
    ),
  ];
  const conditions = [
    ...(entity.source.where === undefined ? [] : [sql`(${sql.raw(entity.source.where)})`]),
    ...(filter ? [filter] : []),
  ];
  const where = conditions.length === 0 ? sql`` : sql` where ${sql.join(conditions, sql` and `)}`;
  return sql`select ${sql.join(columns)} from ${table} as src${where}`;
}

/**
 * The source rows with these keys, as they are now (for writing them to the
 * mirror). The keys go as one array parameter of no declared type, so the
 * server reads it in the key column's own type (uuid, bigint, a domain in
 * another schema…) and can use the column's index.
 */
export function sourceRowsByKeyQuery(
  source: SourceTable,
  keys: readonly string[],
): RawBuilder<Record<string, unknown>> {
  const key = source.entity.source.key;
  // A composite or computed key is matched by its text (an expression index on it makes this an
  // index scan).
  const match =
    key.kind === 'column'
      ? sql`${sql.ref(`src.${key.column}`)} = any(${[...keys]})`
      : sql`(${keyExpression(source.entity)})::text = any(${[...keys]}::text[])`;
  return sourceRowsQuery(source, match);
}

/**
 * How a value enters a statement: a bind parameter, or (for COPY, which takes none) a setting
 * (db/driver/session.ts CopyValues).
 */
export type ValueOf = (value: string) => RawBuilder<unknown>;
export const parameter: ValueOf = (value) => sql`${value}`;

/**
 * The external ID a source row carries. Columns are joined with `||`, so a
 * NULL part makes the whole key NULL (a row without a key: never matched or
 * written); the separator is a parameter, never SQL text.
 */
function keyExpression(entity: WritableEntity, value: ValueOf = parameter): RawBuilder<unknown> {
  const key = entity.source.key;
  if (key.kind === 'column') return sql`${sql.ref(`src.${key.column}`)}`;
  if (key.kind === 'sql') return sql`(${sql.raw(key.sql)})`;
  const parts = key.columns.map((column) => sql`${sql.ref(`src.${column}`)}::text`);
  return sql`(${sql.join(parts, sql` || ${value(key.separator)}::text || `)})`;
}

/** Turns rows of sourceRowsQuery into SourceRows (null for a row whose key is NULL). */
export function sourceRowMapper(
  entity: WritableEntity,
): (row: Record<string, unknown>) => SourceRow | null {
  const values = aliasedValuesReader(entity);
  return (row) => {
    const key = row[KEY_ALIAS];
    if (key === null || key === undefined) return null;
    return { key: key as string, ...values(row) };
  };
}
