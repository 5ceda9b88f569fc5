import { sql, type RawBuilder } from 'kysely';
import type { WritableEntity } from '../config/types.js';
import type { SourceRow } from '../core/audit-types.js';
import { aliasedValuesReader, fieldAlias, KEY_ALIAS, parentAlias } from './row-aliases.js';

/**
 * The one query that reads an entity's source rows. Identifiers come from
 * validated config and go through sql.ref/sql.table; `where` and `{ "sql": … }`
 * fields are trusted config by contract and are wrapped in parentheses so they
 * cannot change the shape of the statement around them.
 * Columns as row-aliases.ts names them.
 */
export function sourceRowsQuery(entity: WritableEntity, schema: string, filter?: RawBuilder<unknown>): RawBuilder<Record<string, unknown>> {
  const columns = [
    sql`${sql.ref(`src.${entity.source.key}`)}::text as ${sql.id(KEY_ALIAS)}`,
    ...entity.fields.map((field) => {
      const value = field.source.kind === 'column' ? sql.ref(`src.${field.source.column}`) : sql`(${sql.raw(field.source.sql)})`;
      return sql`${value} as ${sql.id(fieldAlias(field.mirrorColumn))}`;
    }),
    ...entity.parents.map((parent) => sql`${sql.ref(`src.${parent.column}`)}::text as ${sql.id(parentAlias(parent.entity))}`),
  ];
  const conditions = [...(entity.source.where === undefined ? [] : [sql`(${sql.raw(entity.source.where)})`]), ...(filter ? [filter] : [])];
  const where = conditions.length === 0 ? sql`` : sql` where ${sql.join(conditions, sql` and `)}`;
  return sql`select ${sql.join(columns)} from ${sql.table(`${schema}.${entity.source.table}`)} as src${where}`;
}

/** The source rows sorted as the mirror rows are (COLLATE "C"), NULL keys last, for a merge join. */
export function sortedSourceRowsQuery(entity: WritableEntity, schema: string): RawBuilder<Record<string, unknown>> {
  return sql`select * from (${sourceRowsQuery(entity, schema)}) as s order by ${sql.id(KEY_ALIAS)} collate "C" nulls last`;
}

/**
 * The source rows with these keys, as they are now (for writing them to the
 * mirror). The keys go as one array parameter of no declared type, so the
 * server reads it in the key column's own type (uuid, bigint, a domain in
 * another schema…) and can use the column's index.
 */
export function sourceRowsByKeyQuery(entity: WritableEntity, schema: string, keys: readonly string[]): RawBuilder<Record<string, unknown>> {
  return sourceRowsQuery(entity, schema, sql`${sql.ref(`src.${entity.source.key}`)} = any(${[...keys]})`);
}

/** Turns rows of sourceRowsQuery into SourceRows (null for a row whose key is NULL). */
export function sourceRowMapper(entity: WritableEntity): (row: Record<string, unknown>) => SourceRow | null {
  const values = aliasedValuesReader(entity);
  return (row) => {
    const key = row[KEY_ALIAS];
    if (key === null || key === undefined) return null;
    return { key: key as string, ...values(row) };
  };
}
