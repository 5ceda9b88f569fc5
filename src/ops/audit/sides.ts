import type { ColumnInfo } from '../../core/schema/catalog.js';
import {
  planComparison,
  type ComparePlan,
  type ValueType,
} from '../../core/methods/compare-plan.js';
import { mirrorRowsQuery } from '../../db/audit/read-mirror.js';
import { FIELD_PREFIX } from '../../db/audit/row-aliases.js';
import type { SidePair } from '../../db/audit/snapshots.js';
import { sourceRowsQuery } from '../../db/audit/source-query.js';
import type { DigestFunction } from '../../db/audit/summary-query.js';
import type { EntityTables } from '../../db/entity-tables.js';

/** The session pair an entity is summarised through, with what both servers agree on. */
export interface AuditSides extends SidePair {
  readonly digest: DigestFunction;
  /** Both servers have trim_scale (PostgreSQL 13+), which exact numbers are normalised with. */
  readonly trimScale: boolean;
}

export function majorVersion(serverVersion: string): number {
  return Number.parseInt(serverVersion, 10) || 0;
}

/** How each field is normalised, from the types both sides' queries produce for it. */
export async function comparePlan(
  tables: EntityTables,
  sides: AuditSides,
  columns: ReadonlyMap<string, ColumnInfo>,
): Promise<ComparePlan> {
  const [source, mirror] = await Promise.all([
    sides.source.session.describe(sourceRowsQuery(tables.source)),
    sides.mirror.session.describe(mirrorRowsQuery(tables.mirror)),
  ]);
  const byField = (types: readonly (ValueType & { column: string })[]) =>
    new Map(
      types
        .filter((t) => t.column.startsWith(FIELD_PREFIX))
        .map((t) => [t.column.slice(FIELD_PREFIX.length), t]),
    );
  return planComparison(
    tables.source.entity,
    byField(source),
    byField(mirror),
    columns,
    sides.trimScale,
  );
}
