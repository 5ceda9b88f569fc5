import type { Config } from '../config/types.js';
import { apiName, keyPrefix } from './salesforce-id.js';

/** What the simulator knows of a mapping: the object, its external ID, and lookups to resolve. */
export interface SimMapping {
  readonly table: string;
  readonly object: string;
  readonly prefix: string;
  readonly externalId: string;
  readonly lookups: readonly {
    column: string;
    parentTable: string;
    parentObject: string;
    parentExternalId: string;
  }[];
}

export function simMappings(config: Pick<Config, 'entities'>): Map<string, SimMapping> {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  return new Map(
    config.entities.map((entity) => [
      entity.mirror.table,
      {
        table: entity.mirror.table,
        object: apiName(entity.mirror.table),
        prefix: keyPrefix(entity.mirror.table),
        externalId: entity.mirror.externalId,
        lookups: entity.parents.map((p) => {
          const parent = byName.get(p.entity)!;
          return {
            column: p.lookup,
            parentTable: parent.mirror.table,
            parentObject: apiName(parent.mirror.table),
            parentExternalId: parent.mirror.externalId,
          };
        }),
      },
    ]),
  );
}
