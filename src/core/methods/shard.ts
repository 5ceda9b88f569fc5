/** `--shard K/N`: this runner audits the keys whose shard is K (1-based) of N. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Shard counts past this buy nothing (each runner still reads its tables' indexes) and are likelier
 * a typo.
 */
export const MAX_SHARDS = 1024;

/** `K/N` → a Shard, or a sentence saying what is wrong with it. */
export function parseShard(text: string): Shard | string {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match)
    return (
      "--shard takes K/N (this runner's shard and the number of shards, e.g. 2/4), " +
      `not "${text}"`
    );
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1 || count > MAX_SHARDS)
    return `--shard: the number of shards must be 1 to ${MAX_SHARDS}, not ${count}`;
  if (index < 1 || index > count) return `--shard: the shard must be 1 to ${count}, not ${index}`;
  return { index, count };
}
