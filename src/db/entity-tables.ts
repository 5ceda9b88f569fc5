import { sql, type RawBuilder } from 'kysely';
import type { Entity, WritableEntity } from '../config/types.js';

// Config names are validated identifiers (config/schema.ts); sql.table and sql.ref quote each
// part, so a name is never spliced into SQL text. Built once per entity per run and handed down,
// so no query has a schema and an entity to put together itself.

/** An entity's mirror table. Queries alias it `m` (the join summary, which nests it, `m0`). */
export interface MirrorTable {
  readonly entity: Entity;
  /** Bare, as the catalog is asked for it; Connect's trigger log and functions live there too. */
  readonly schema: string;
  /** The bare table name, as advisory locks, the journal and the trigger log name the table. */
  readonly name: string;
  readonly table: RawBuilder<unknown>;
  /** The external ID column, as `m.<column>`. */
  readonly key: RawBuilder<unknown>;
}

/** A writable entity's source table. The one source query aliases it `src`. */
export interface SourceTable {
  readonly entity: WritableEntity;
  /** Bare, as the catalog is asked for it (the planner's row estimate). */
  readonly schema: string;
  readonly name: string;
  readonly table: RawBuilder<unknown>;
}

/** Both tables of a writable entity, for the reads that compare them and the writes that copy. */
export interface EntityTables {
  readonly source: SourceTable;
  readonly mirror: MirrorTable;
}

export const mirrorTableOf = (schema: string, entity: Entity): MirrorTable => ({
  entity,
  schema,
  name: entity.mirror.table,
  table: sql.table(`${schema}.${entity.mirror.table}`),
  key: sql.ref(`m.${entity.mirror.externalId}`),
});

export const sourceTableOf = (schema: string, entity: WritableEntity): SourceTable => ({
  entity,
  schema,
  name: entity.source.table,
  table: sql.table(`${schema}.${entity.source.table}`),
});

export const entityTablesOf = (
  schemas: { readonly source: string; readonly mirror: string },
  entity: WritableEntity,
): EntityTables => ({
  source: sourceTableOf(schemas.source, entity),
  mirror: mirrorTableOf(schemas.mirror, entity),
});
