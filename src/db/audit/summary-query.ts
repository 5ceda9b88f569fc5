import { sql, type RawBuilder } from 'kysely';
import type { ComparedValue, ComparePlan } from '../../core/methods/compare-plan.js';
import { fieldAlias, KEY_ALIAS, parentAlias } from './row-aliases.js';
import type { CopyQuery, CopyValues } from '../driver/session.js';
import { sourceRowsQuery, type ValueOf } from './source-query.js';
import type { MirrorTable, SourceTable } from '../entity-tables.js';

/**
 * How a row's normalised values become its digest. Both databases must agree
 * on it; hashtextextended (PostgreSQL 11+) is fast, md5 is the same everywhere.
 * Disagreeing servers would only make every row a suspect (read in full), never
 * a wrong result: a digest is trusted only when equal.
 */
export type DigestFunction = 'hashtextextended' | 'md5';

/**
 * A condition on the external ID as text (a shard, a set of segments), its values entered through
 * `value`; undefined: every key.
 */
export type KeyFilter =
  | ((key: RawBuilder<string>, value: ValueOf) => RawBuilder<boolean>)
  | undefined;

/** What a summary query reads of each row, and which keys. */
export interface SummaryRead {
  readonly plan: ComparePlan;
  readonly digest: DigestFunction;
  /** The COPY statement's parameters. */
  readonly values: CopyValues;
  readonly filter: KeyFilter;
}

/**
 * Key and digest of every source row, sorted by key as the mirror's summary is (COLLATE "C"), rows
 * without a key last.
 */
export function sourceSummaryQuery(
  source: SourceTable,
  { plan, digest, values, filter }: SummaryRead,
): CopyQuery {
  const key = sql.ref<string>(`s.${KEY_ALIAS}`);
  const parts = sourceValues(plan, 's');
  const inner = sourceRowsQuery(source, undefined, (value) => values.value(value));
  const where = filter ? sql` where ${filter(key, (v) => values.value(v))}` : sql``;
  const query = sql`select ${key}, ${digestOf(parts, digest)} from (${inner}) as s${where}
    order by ${key} collate "C" nulls last`;
  return values.copy(query, 2);
}

/**
 * Key, digest and flags (1: has an sfid, 2: FAILED) of every mirror row with an external ID, sorted
 * by key.
 */
export function mirrorSummaryQuery(
  { table, key: ext }: MirrorTable,
  { plan, digest, values, filter }: SummaryRead,
): CopyQuery {
  const key = sql<string>`${ext}::text`;
  const parts = mirrorValues(plan, 'm');
  const flags = sql`((case when m.sfid is null then 0 else 1 end)
    + (case when m._hc_lastop = 'FAILED' then 2 else 0 end))::int2`;
  const where = filter ? sql` and ${filter(key, (v) => values.value(v))}` : sql``;
  const query = sql`select ${key}, ${digestOf(parts, digest)}, ${flags}
    from ${table} as m
   where ${ext} is not null${where}
   order by ${key} collate "C", m.id`;
  return values.copy(query, 3);
}

/**
 * The compared values of a source row (columns as sourceRowsQuery names them, under `alias`),
 * normalised.
 */
export function sourceValues(plan: ComparePlan, alias: string): RawBuilder<unknown>[] {
  return plan.values.map((v) =>
    normalised(
      sql.ref(`${alias}.${v.kind === 'field' ? fieldAlias(v.column) : parentAlias(v.column)}`),
      v,
      's',
    ),
  );
}

/** The compared values of a mirror row (the table under `alias`), normalised. */
export function mirrorValues(plan: ComparePlan, alias: string): RawBuilder<unknown>[] {
  return plan.values.map((v) => normalised(sql.ref(`${alias}.${v.column}`), v, 'm'));
}

/**
 * The digest of a row's normalised values: each value hashed with a seed of
 * its own position, the hashes combined by XOR (no overflow, and a value moved
 * to another column changes it).
 */
export function digestOf(
  parts: readonly RawBuilder<unknown>[],
  digest: DigestFunction,
): RawBuilder<unknown> {
  if (parts.length === 0) return sql`0::int8`;
  const hashes = parts.map((part, i) => seededHash(part, i + 1, digest));
  return sql`(${sql.join(hashes, sql` # `)})`;
}

/**
 * A 64-bit hash of a text, with a seed: hashtextextended's own, or (md5) the seed prefixed to the
 * text.
 */
export function seededHash(
  text: RawBuilder<unknown>,
  seed: number,
  digest: DigestFunction,
): RawBuilder<string> {
  return digest === 'md5'
    ? sql<string>`('x' || left(md5(${sql.lit(`${seed}:`)} || ${text}), 16))::bit(64)::int8`
    : sql<string>`hashtextextended(${text}, ${sql.lit(seed)})`;
}

/**
 * One value as text both databases produce only for values sameValue calls
 * equal (core/methods/compare-plan.ts), in the "C" collation: equal means the same
 * bytes, whatever collation the column has (a case-insensitive one would
 * otherwise hash and compare 'A' as 'a').
 */
export function normalised(
  value: RawBuilder<unknown>,
  compared: ComparedValue,
  side: 's' | 'm',
): RawBuilder<unknown> {
  return sql`(${normalisedText(value, compared, side)}) collate "C"`;
}

function normalisedText(
  value: RawBuilder<unknown>,
  compared: ComparedValue,
  side: 's' | 'm',
): RawBuilder<unknown> {
  switch (compared.normalizer) {
    case 'text':
      // concat keeps char(n)'s padding, as node-postgres does; a cast to text would drop it.
      return compared.padded ? sql`concat(${value})` : sql`coalesce(${value}::text, '')`;
    case 'padded':
      return sql`rtrim(concat(${value}), ' ')`;
    case 'exact':
      // Only the source is rounded: PostgreSQL rounds it so when it is written to the mirror
      // column.
      return side === 's' && compared.scale !== null
        ? sql`concat(trim_scale(round(${value}::numeric, ${sql.lit(compared.scale)})))`
        : sql`concat(trim_scale(${value}::numeric))`;
    case 'double':
      // Through text, as node-postgres reads it: a float4 is its shortest text read as a double.
      return sql`concat(${value}::text::float8)`;
    case 'real':
      return sql`concat(${value}::text::float8::float4)`;
    case 'epoch':
      // Whole seconds, as JavaScript compares them (date_trunc floors, as Math.floor does, and
      // keeps it exact). Outside the years JavaScript dates read, a value is compared there
      // instead: the sides' texts never match.
      return sql`(case when ${value} >= '0001-01-01' and ${value} < '10000-01-01'
          then date_part('epoch', date_trunc('second', ${value}))::int8::text
        when ${value} is null then '' else ${sql.lit(`${side}:`)} || ${value}::text end)`;
  }
}
