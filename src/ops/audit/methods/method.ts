import type { CostEstimate } from '../../../core/methods/checksum-costs.js';
import type { ComparePlan } from '../../../core/methods/compare-plan.js';
import type { KeySummary, SuspectList } from '../../../core/methods/key-summary.js';
import type { MethodChoice } from '../../../core/methods/method-choice.js';
import type { SplitTuning } from '../../../core/methods/segments.js';
import type { Shard } from '../../../core/methods/shard.js';
import type { KeyFilter } from '../../../db/audit/summary-query.js';
import type { EntityTables } from '../../../db/entity-tables.js';
import type { AuditSides } from '../sides.js';

/** The keys a run audits: its shard, and the key filter the shard becomes, made once per run. */
export interface RunKeys {
  readonly shard: Shard | undefined;
  readonly filter: KeyFilter;
}

/** What the catalogs say of an entity's keys. */
export interface KeyFacts {
  /** A unique index makes each side's key unique, so rows need no grouping by key first. */
  readonly sourceKeyUnique: boolean;
  readonly mirrorKeyUnique: boolean;
  /** The external ID column is varchar or text, so it can be joined as it is. */
  readonly mirrorKeyIsText: boolean;
}

/** One entity, as every method reads it. */
export interface MethodJob {
  readonly tables: EntityTables;
  readonly sides: AuditSides;
  readonly plan: ComparePlan;
  readonly choice: MethodChoice;
  readonly keys: RunKeys;
  readonly keyFacts: KeyFacts;
  /** Where the suspects go, and how many of them a reader may hold as one value. */
  readonly suspects: SuspectList;
  readonly suspectsInMemory: number;
  /** The checksum method's segment sizes (tests force deep splits on small tables with it). */
  readonly tuning: SplitTuning | undefined;
  readonly signal: AbortSignal | undefined;
  /** Source rows read so far by a method that streams them (join and checksum rounds do not). */
  readonly onRows?: ((rows: number) => void) | undefined;
  /** The checksum's sampled estimate of both methods' costs, once it has one. */
  readonly onEstimate?: ((estimate: CostEstimate) => void) | undefined;
}

/**
 * join, stream and checksum: both sides' summary of one entity, the clean keys counted and the
 * others listed as suspects, each method by its own route to the same result.
 */
export interface MethodReader {
  /** `too many suspects`: more than the reader can hand over; the choice's fallback reads. */
  summarise(job: MethodJob): Promise<KeySummary | 'too many suspects'>;
}
