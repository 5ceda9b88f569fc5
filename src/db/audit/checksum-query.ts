import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { SidePair } from './snapshots.js';
import type { ComparePlan } from '../../core/methods/compare-plan.js';
import type { SegmentSums } from '../../core/methods/segments.js';
import type { VisibleDamage } from '../../core/methods/method-choice.js';
import { KEY_ALIAS } from './row-aliases.js';
import { parameter, sourceRowsQuery, type ValueOf } from './source-query.js';
import {
  digestOf,
  mirrorValues,
  seededHash,
  sourceValues,
  type DigestFunction,
  type KeyFilter,
} from './summary-query.js';
import type { EntityTables, MirrorTable, SourceTable } from '../entity-tables.js';

/** A non-negative 63-bit hash of the external ID, the same in both databases (see agreedDigest). */
export function keyHash(key: RawBuilder<unknown>, digest: DigestFunction): RawBuilder<string> {
  return sql<string>`(${seededHash(key, 11, digest)} & 9223372036854775807)`;
}

/** The rows of these segments (`keyHash mod modulus`); undefined scope: every row. */
export interface SegmentScope {
  readonly modulus: number;
  readonly segments: readonly number[];
}

/** A KeyFilter keeping the keys of a scope (for the stream of the segments that differ). */
export function segmentFilter(scope: SegmentScope, digest: DigestFunction): KeyFilter {
  return (key, value) => inScope(key, digest, scope, value);
}

function inScope(
  key: RawBuilder<unknown>,
  digest: DigestFunction,
  scope: SegmentScope | undefined,
  value: ValueOf,
): RawBuilder<boolean> {
  if (!scope) return sql<boolean>`true`;
  const segment = sql`${keyHash(key, digest)} % ${sql.lit(scope.modulus)}::int8`;
  const segments = value(`{${scope.segments.join(',')}}`);
  return sql<boolean>`(${segment}) = any(${segments}::int8[])`;
}

/** ` and <the filter>` for a where clause, or nothing. */
const andKept = (filter: KeyFilter, key: RawBuilder<unknown>) =>
  filter ? sql` and ${filter(key as RawBuilder<string>, parameter)}` : sql``;

/**
 * A row's hash for the segment sums: its digest bound to its key, so equal sums mean the same keys
 * with the same values.
 */
const rowHash = (key: RawBuilder<unknown>, digest: RawBuilder<unknown>, fn: DigestFunction) =>
  sql`(${digest} # ${seededHash(key, 12, fn)})`;

/** A mirror row read in full whatever its checksum: no sfid yet, or FAILED. */
const UNHEALTHY = sql`(m.sfid is null or m._hc_lastop = 'FAILED')`;

/** One round of segment sums: which segments of which keys, hashed how. */
export interface SegmentRead {
  readonly plan: ComparePlan;
  readonly digest: DigestFunction;
  readonly modulus: number;
  /** undefined: every segment. */
  readonly scope: SegmentScope | undefined;
  /** The run's shard. */
  readonly filter: KeyFilter;
}

interface SumRow {
  segment: string;
  rows: string;
  sum: string | null;
  unsynced?: string;
}

/**
 * Count and sum of row hashes per segment (`keyHash mod modulus`) of the source side; rows without
 * a key are segment -1.
 */
export async function sourceSegmentSums(
  trx: Transaction<any>,
  source: SourceTable,
  { plan, digest, modulus, scope, filter }: SegmentRead,
): Promise<SegmentSums> {
  const key = sql.ref(`s.${KEY_ALIAS}`);
  const parts = sourceValues(plan, 's');
  const { rows } = await sql<SumRow>`
    select case when ${key} is null then -1
                else ${keyHash(key, digest)} % ${sql.lit(modulus)}::int8 end::text as segment,
           count(*)::int8 as rows,
           sum(${rowHash(key, digestOf(parts, digest), digest)})::text as sum
      from (${sourceRowsQuery(source)}) as s
     where (${key} is null or ${inScope(key, digest, scope, parameter)})${andKept(filter, key)}
     group by 1`.execute(trx);
  return toSums(rows);
}

/** The same for the mirror side, with how many rows of each segment have no sfid. */
export async function mirrorSegmentSums(
  trx: Transaction<any>,
  { table, key: ext }: MirrorTable,
  { plan, digest, modulus, scope, filter }: SegmentRead,
): Promise<SegmentSums> {
  const key = sql`${ext}::text`;
  const parts = mirrorValues(plan, 'm');
  const { rows } = await sql<SumRow>`
    select (${keyHash(key, digest)} % ${sql.lit(modulus)}::int8)::text as segment,
           count(*)::int8 as rows,
           sum(${rowHash(key, digestOf(parts, digest), digest)})::text as sum,
           count(*) filter (where m.sfid is null)::int8 as unsynced
      from ${table} as m
     where ${ext} is not null and ${inScope(key, digest, scope, parameter)}${andKept(filter, key)}
     group by 1`.execute(trx);
  return toSums(rows);
}

function toSums(rows: readonly SumRow[]): SegmentSums {
  return new Map(
    rows.map((r) => [
      Number(r.segment),
      { rows: Number(r.rows), sum: r.sum ?? '0', unsynced: Number(r.unsynced ?? 0) },
    ]),
  );
}

/**
 * A key read in full whatever the checksums say, with its row count and key hash (exact, as text).
 */
export interface KeyToRead {
  readonly key: string;
  readonly rows: number;
  readonly hash: string;
}

/**
 * Mirror keys read in full whatever the checksums say: rows without an sfid
 * or FAILED (always read in full), and keys more than one row carries unless a
 * unique index rules that out.
 */
export async function mirrorKeysToRead(
  trx: Transaction<any>,
  { table, key: ext }: MirrorTable,
  { digest, filter, unique }: { digest: DigestFunction; filter: KeyFilter; unique: boolean },
): Promise<KeyToRead[]> {
  const key = sql`${ext}::text`;
  const hash = sql`${keyHash(key, digest)}::text as hash`;
  const query = unique
    ? sql<KeyToRead>`select ${key} as key, 1 as rows, ${hash}
        from ${table} as m where ${ext} is not null and ${UNHEALTHY}${andKept(filter, key)}`
    : sql<KeyToRead>`select ${key} as key, count(*)::int as rows, ${hash}
        from ${table} as m where ${ext} is not null${andKept(filter, key)}
        group by 1 having bool_or(${UNHEALTHY}) or count(*) > 1`;
  return (await query.execute(trx)).rows;
}

/** Source keys more than one row carries. */
export async function sourceDuplicateKeys(
  trx: Transaction<any>,
  source: SourceTable,
  { digest, filter }: { digest: DigestFunction; filter: KeyFilter },
): Promise<KeyToRead[]> {
  const key = sql.ref(`s.${KEY_ALIAS}`);
  const { rows } = await sql<KeyToRead>`
    select ${key} as key, count(*)::int as rows, ${keyHash(key, digest)}::text as hash
      from (${sourceRowsQuery(source)}) as s where ${key} is not null${andKept(filter, key)}
     group by 1 having count(*) > 1`.execute(trx);
  return rows;
}

/** The planner's row count of a mirror table (no scan), to size the first split. */
export async function estimatedRows(
  trx: Transaction<any>,
  { schema, name }: MirrorTable,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select greatest(c.reltuples, 0)::float8 as n
      from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relname = ${name}`.execute(trx);
  return rows[0]?.n ?? 0;
}

/**
 * How far an entity's two sides visibly differ, cheaply: their row counts, and mirror rows without
 * an sfid or FAILED.
 */
export async function visibleDamage(sides: SidePair, tables: EntityTables): Promise<VisibleDamage> {
  const { table, key: ext } = tables.mirror;
  const [source, mirror] = await Promise.all([
    sql<{
      n: string;
    }>`select count(*)::int8 as n from (${sourceRowsQuery(tables.source)}) as s`.execute(
      sides.source.trx,
    ),
    sql<{ n: string; unhealthy: string }>`
      select count(*)::int8 as n, count(*) filter (where ${UNHEALTHY})::int8 as unhealthy
        from ${table} as m
       where ${ext} is not null`.execute(sides.mirror.trx),
  ]);
  return {
    sourceRows: Number(source.rows[0]!.n),
    mirrorRows: Number(mirror.rows[0]!.n),
    unhealthy: Number(mirror.rows[0]!.unhealthy),
  };
}
