import { sql } from 'kysely';
import type { Entity, WritableEntity } from '../config/types.js';

// Config names are validated identifiers (config/schema.ts); sql.table quotes each part, so a
// name is never spliced into SQL text.

/** An entity's mirror table in that schema, as an identifier. */
export const mirrorTable = (schema: string, entity: Entity) =>
  sql.table(`${schema}.${entity.mirror.table}`);

/** An entity's source table in that schema, as an identifier. */
export const sourceTable = (schema: string, entity: WritableEntity) =>
  sql.table(`${schema}.${entity.source.table}`);
