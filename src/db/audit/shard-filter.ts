import { sql, type RawBuilder } from 'kysely';
import type { Shard } from '../../core/methods/shard.js';
import type { KeyFilter } from './summary-query.js';

/**
 * The shard (0-based) of a key: the first 60 bits of the MD5 of its text,
 * modulo the count. MD5 because every PostgreSQL has it and hashes the same
 * bytes whatever its version, so N runners against N servers (replicas, say)
 * split the keys alike; a test holds it to Node's MD5 of the UTF-8 text.
 */
export function shardOf(key: RawBuilder<unknown>, count: number): RawBuilder<string> {
  const first60Bits = sql`('x' || substr(md5(${key}), 1, 15))::bit(60)::int8`;
  return sql<string>`mod(${first60Bits}, ${sql.lit(count)}::int8)`;
}

/**
 * The keys of one shard. Rows without a key belong to no key's shard: the
 * first shard counts them, so that the shards' counts add up to the whole.
 */
export function shardFilter(shard: Shard | undefined): KeyFilter {
  if (!shard || shard.count === 1) return undefined;
  const mine = (key: RawBuilder<unknown>) =>
    sql<boolean>`${shardOf(key, shard.count)} = ${sql.lit(shard.index - 1)}`;
  return shard.index === 1
    ? (key) => sql<boolean>`(${key} is null or ${mine(key)})`
    : (key) => mine(key);
}

/** Both filters (either may be undefined: no filter). */
export function bothFilters(a: KeyFilter, b: KeyFilter): KeyFilter {
  if (!a) return b;
  if (!b) return a;
  return (key, value) => sql<boolean>`(${a(key, value)} and ${b(key, value)})`;
}
