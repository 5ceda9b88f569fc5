import { sql, type RawBuilder } from 'kysely';
import type { WritableEntity } from '../config/types.js';

/**
 * The one query that reads an entity's source rows. Identifiers come from
 * validated config and go through sql.ref/sql.table; `where` and `{ "sql": … }`
 * fields are trusted config by contract and are wrapped in parentheses so they
 * cannot change the shape of the statement around them.
 * Columns: `key` (text), `f:<mirror column>` per field, `p:<parent entity>` (text) per parent.
 */
export function sourceRowsQuery(entity: WritableEntity, schema: string, filter?: RawBuilder<unknown>): RawBuilder<Record<string, unknown>> {
  const columns = [
    sql`${sql.ref(`src.${entity.source.key}`)}::text as ${sql.id('key')}`,
    ...entity.fields.map((field) => {
      const value = field.source.kind === 'column' ? sql.ref(`src.${field.source.column}`) : sql`(${sql.raw(field.source.sql)})`;
      return sql`${value} as ${sql.id(`f:${field.mirrorColumn}`)}`;
    }),
    ...entity.parents.map((parent) => sql`${sql.ref(`src.${parent.column}`)}::text as ${sql.id(`p:${parent.entity}`)}`),
  ];
  const conditions = [
    ...(entity.source.where === undefined ? [] : [sql`(${sql.raw(entity.source.where)})`]),
    ...(filter ? [filter] : []),
  ];
  const where = conditions.length === 0 ? sql`` : sql` where ${sql.join(conditions, sql` and `)}`;
  return sql`select ${sql.join(columns)} from ${sql.table(`${schema}.${entity.source.table}`)} as src${where}`;
}

/** The source rows sorted as the mirror rows are (COLLATE "C"), NULL keys last, for a merge join. */
export function sortedSourceRowsQuery(entity: WritableEntity, schema: string): RawBuilder<Record<string, unknown>> {
  return sql`select * from (${sourceRowsQuery(entity, schema)}) as s order by ${sql.id('key')} collate "C" nulls last`;
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
