import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { ComparePlan } from '../../core/methods/compare-plan.js';
import type { Fingerprints } from '../../core/methods/segments.js';
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
import type { MirrorTable, SourceTable } from '../entity-tables.js';

/** A non-negative 63-bit hash of the external ID, the same in both databases (see agreedDigest). */
export function keyHash(key: RawBuilder<unknown>, digest: DigestFunction): RawBuilder<string> {
  return sql<string>`(${seededHash(key, 11, digest)} & 9223372036854775807)`;
}

/**
 * The rows of these segments of `keyHash mod modulus`, or of those below `below` (the sample);
 * undefined scope: every row.
 */
export type SegmentScope =
  | { readonly modulus: number; readonly segments: readonly number[] }
  | { readonly modulus: number; readonly below: number };

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
  if ('below' in scope) return sql<boolean>`(${segment}) < ${sql.lit(scope.below)}::int8`;
  // A semi-join on the list: hashed once, not parsed and searched for every row.
  const segments = value(`{${scope.segments.join(',')}}`);
  return sql<boolean>`(${segment}) in (select unnest(${segments}::int8[]))`;
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

/** One round of fingerprints: which segments of which keys, hashed how. */
export interface SegmentRead {
  readonly plan: ComparePlan;
  readonly digest: DigestFunction;
  /** The round's segments: `keyHash mod modulus`. */
  readonly modulus: number;
  /** undefined: every segment. */
  readonly scope: SegmentScope | undefined;
  /** The run's shard. */
  readonly filter: KeyFilter;
}

/** One side's round: its totals, and its fingerprints sorted by segment. */
export interface SideRound {
  readonly rows: number;
  readonly unsynced: number;
  /** Source rows without a key (never in a segment). */
  readonly keyless: number;
  readonly fingerprints: Fingerprints;
}

interface RoundRow {
  rows: string;
  unsynced: string;
  keyless: string;
  sums: string | null;
}

/**
 * The fingerprints of one side's segments, packed into one base64 text: 12 bytes a segment (a
 * 4-byte id and an 8-byte hash of its row count and hash sum) instead of a row of four numbers.
 */
function roundQuery(
  segment: RawBuilder<unknown>,
  hash: RawBuilder<unknown>,
  unsynced: RawBuilder<unknown>,
  from: RawBuilder<unknown>,
  digest: DigestFunction,
) {
  const fingerprint = seededHash(sql`g.n::text || ':' || g.s::text`, 13, digest);
  // offset 0 keeps the hashes computed before the grouping: otherwise the planner groups (or
  // sorts) whole rows and hashes them after, several times the bytes through the aggregate.
  return sql<RoundRow>`
    with r as (select ${segment} as segment, ${hash} as h, ${unsynced} as u ${from} offset 0),
    g as (select r.segment, count(*) as n, sum(r.h) as s, sum(r.u) as u from r group by 1)
    select coalesce(sum(g.n) filter (where g.segment >= 0), 0)::int8 as rows,
           coalesce(sum(g.u), 0)::int8 as unsynced,
           coalesce(sum(g.n) filter (where g.segment < 0), 0)::int8 as keyless,
           encode(string_agg(int4send(g.segment::int4) || int8send(${fingerprint}), ''::bytea
                             order by g.segment) filter (where g.segment >= 0), 'base64') as sums
      from g`;
}

function toRound(row: RoundRow | undefined): SideRound {
  return {
    rows: Number(row?.rows ?? 0),
    unsynced: Number(row?.unsynced ?? 0),
    keyless: Number(row?.keyless ?? 0),
    fingerprints: row?.sums ? Buffer.from(row.sums, 'base64') : new Uint8Array(0),
  };
}

/** One round on the source side; rows without a key are counted, in no segment. */
export async function sourceRound(
  trx: Transaction<any>,
  source: SourceTable,
  { plan, digest, modulus, scope, filter }: SegmentRead,
): Promise<SideRound> {
  const key = sql.ref(`s.${KEY_ALIAS}`);
  const segment = sql`case when ${key} is null then -1
                else ${keyHash(key, digest)} % ${sql.lit(modulus)}::int8 end`;
  const from = sql`from (${sourceRowsQuery(source)}) as s
       where (${key} is null or ${inScope(key, digest, scope, parameter)})${andKept(filter, key)}`;
  const hash = rowHash(key, digestOf(sourceValues(plan, 's'), digest), digest);
  const { rows } = await roundQuery(segment, hash, sql`0::int4`, from, digest).execute(trx);
  return toRound(rows[0]);
}

/** The same for the mirror side, with how many of its rows have no sfid. */
export async function mirrorRound(
  trx: Transaction<any>,
  { table, key: ext }: MirrorTable,
  { plan, digest, modulus, scope, filter }: SegmentRead,
): Promise<SideRound> {
  const key = sql`${ext}::text`;
  const segment = sql`${keyHash(key, digest)} % ${sql.lit(modulus)}::int8`;
  const kept = sql`${inScope(key, digest, scope, parameter)}${andKept(filter, key)}`;
  const from = sql`from ${table} as m where ${ext} is not null and ${kept}`;
  const hash = rowHash(key, digestOf(mirrorValues(plan, 'm'), digest), digest);
  const unsynced = sql`(m.sfid is null)::int4`;
  const { rows } = await roundQuery(segment, hash, unsynced, from, digest).execute(trx);
  return toRound(rows[0]);
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
