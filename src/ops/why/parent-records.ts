import type { Transaction } from 'kysely';
import type { Entity } from '../../config/types.js';
import { appendAll } from '../../core/arrays.js';
import {
  MAX_CHAIN_DEPTH,
  namedParents,
  recordId,
  type ParentRecord,
} from '../../core/why/parent-chain.js';
import type { MirrorRow } from '../../core/audit/types.js';
import { mirrorRowMapper } from '../../db/audit/read-mirror.js';
import { parentRowsQuery, readSourceRecord } from '../../db/why/record-rows.js';
import type { RunTables } from '../databases.js';

/** A parent record as read, with its full mirror rows (for a deferred lookup: their log). */
export interface ReadParent extends ParentRecord {
  readonly mirrorRows: readonly MirrorRow[];
}

/** The two read-only transactions of one `why`. */
export interface WhyTransactions {
  readonly source: Transaction<any>;
  readonly mirror: Transaction<any>;
}

/**
 * Every parent record the chain of `root` names, level by level up to MAX_CHAIN_DEPTH, each read
 * once (a cycle of lookups meets records already read): its mirror rows by external ID, and its
 * own parents' keys from its source row (else from its mirror row's lookups). Each read is one
 * key through an index, as for the record itself.
 */
export async function readParentRecords(
  trx: WhyTransactions,
  tables: RunTables,
  entities: ReadonlyMap<string, Entity>,
  root: {
    readonly entity: Entity;
    readonly parentKeys: Readonly<Record<string, string | null>> | null;
  },
): Promise<Map<string, ReadParent>> {
  const records = new Map<string, ReadParent>();
  let level = named(root.entity, root.parentKeys);
  for (let depth = 1; depth <= MAX_CHAIN_DEPTH && level.length > 0; depth++) {
    const next: { entity: string; key: string }[] = [];
    for (const { entity: name, key } of level) {
      const id = recordId(name, key);
      const entity = entities.get(name);
      if (records.has(id) || !entity) continue;
      const record = await readParent(trx, tables, entity, key);
      records.set(id, record);
      appendAll(next, named(entity, record.parentKeys));
    }
    level = next;
  }
  return records;
}

type ParentKeys = Readonly<Record<string, string | null>> | null;

function named(entity: Entity, parentKeys: ParentKeys): { entity: string; key: string }[] {
  return namedParents(entity, parentKeys).flatMap(({ link, key }) =>
    key === null ? [] : [{ entity: link.entity, key }],
  );
}

async function readParent(
  trx: WhyTransactions,
  tables: RunTables,
  entity: Entity,
  key: string,
): Promise<ReadParent> {
  const mirror = tables.mirrors.get(entity.name)!;
  const { rows } = await parentRowsQuery(mirror, key).execute(trx.mirror);
  const mirrorRows = rows.map(mirrorRowMapper(entity, new Map()));
  const rowsOf = mirrorRows.map(({ id, sfid, lastop }) => ({ id, sfid, lastop }));
  if (entity.readOnly || entity.parents.length === 0)
    return { rows: rowsOf, parentKeys: null, mirrorRows };
  const source = await readSourceRecord(trx.source, tables.writable.get(entity.name)!.source, key);
  return {
    rows: rowsOf,
    parentKeys: source?.row.parents ?? mirrorRows[0]?.lookups ?? null,
    mirrorRows,
  };
}
