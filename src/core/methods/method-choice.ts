import { UsageError } from '../../errors.js';
import type { AuditMethod } from '../audit/types.js';

/**
 * The method `--method` leaves for each entity once the run knows where its two schemas live:
 * one method for all, or `by damage` (checksums where their estimated cost pays, else a stream).
 */
export type RunMethod = AuditMethod | 'by damage';

/**
 * auto: in the database when both schemas share one; across two, by each entity's estimated
 * costs (visibleChoice, then the checksum's sample).
 * A join cannot span two databases: asking for one there is a usage error.
 */
export function runMethod(requested: AuditMethod | 'auto' | undefined, shared: boolean): RunMethod {
  if (requested === 'join' && !shared) {
    throw new UsageError(
      '--method join needs the source and mirror schemas in one database, read as one role; ' +
        'these are two (use stream or checksum)',
    );
  }
  if (requested && requested !== 'auto') return requested;
  return shared ? 'join' : 'by damage';
}

/**
 * How big an entity's tables are, by the planner's statistics (no scan); null when a table has
 * never been analysed.
 */
export interface TableSizes {
  readonly sourceRows: number | null;
  readonly mirrorRows: number | null;
}

export interface EntityFacts {
  /** `--every-key`: every key's rows are read in full. */
  readonly everyKey: boolean;
  /** Fields no SQL text compares as JavaScript does (ComparePlan.opaque). */
  readonly opaque: readonly string[];
  /** Read only when the run method is `by damage` and the choice asks for it. */
  readonly sizes?: TableSizes | undefined;
}

/** How one entity is compared: the one decision every method reader follows. */
export interface MethodChoice {
  /** The method the report names. */
  readonly method: AuditMethod;
  /**
   * The reader that runs: checksums compare nothing when every key is read in full anyway, so a
   * checksum entity is then streamed (and still reported as checksum, as asked).
   */
  readonly reader: AuditMethod;
  /** Every key's rows go to JavaScript: `--every-key`, or a field only JavaScript compares. */
  readonly everyKey: boolean;
  /**
   * Where the entity goes when its reader finds more suspects than it keeps in memory (a join
   * hands them over as one JSON text): the stream, reported as such.
   */
  readonly fallback: 'stream' | undefined;
  /** The checksum reader may stream everything instead when its sampled estimate says so. */
  readonly byEstimate: boolean;
  /** Why this method, in one line (`--verbose`, the JSON report). */
  readonly reason: string;
}

/** Below this, streaming everything costs less than a scan per side and a sample. */
export const MIN_ROWS_FOR_CHECKSUM = 50_000;

/**
 * How `by damage` decides before reading a row: a table too small for checksums to pay, or of no
 * known size, is streamed; otherwise the checksum samples the damage and decides by its estimate
 * (byEstimate). Rows one side lacks show in the sample as damage, so row counts are not scanned.
 */
export function sizeChoice(sizes: TableSizes): { method: AuditMethod; reason: string } {
  if (sizes.sourceRows === null && sizes.mirrorRows === null)
    return { method: 'stream', reason: 'neither table analysed yet: its size unknown, streamed' };
  const rows = Math.max(sizes.sourceRows ?? 0, sizes.mirrorRows ?? 0);
  if (rows < MIN_ROWS_FOR_CHECKSUM) {
    return {
      method: 'stream',
      reason: `~${rows} rows: too few for checksums to pay (under ${MIN_ROWS_FOR_CHECKSUM})`,
    };
  }
  // A shard too small to sample keeps this reason; a sampled one gives its estimate instead.
  return { method: 'checksum', reason: `~${rows} rows: big enough for checksums` };
}

/** The entity's method, or `measure size` when the choice needs the tables' sizes first. */
export function chooseMethod(
  run: RunMethod,
  facts: EntityFacts & { sizes: TableSizes },
): MethodChoice;
export function chooseMethod(run: RunMethod, facts: EntityFacts): MethodChoice | 'measure size';
export function chooseMethod(run: RunMethod, facts: EntityFacts): MethodChoice | 'measure size' {
  const everyKey = facts.everyKey || facts.opaque.length > 0;
  let method: AuditMethod;
  let reason: string;
  if (run !== 'by damage') {
    method = run;
    reason =
      run === 'join' ? 'both schemas in one database: compared there' : 'asked for with --method';
  } else if (facts.sizes === undefined) return 'measure size';
  else ({ method, reason } = sizeChoice(facts.sizes));
  const reader = method === 'checksum' && everyKey ? 'stream' : method;
  if (reader !== method) reason = 'every key is read in full: streamed';
  return {
    method,
    reader,
    everyKey,
    fallback: method === 'join' ? 'stream' : undefined,
    byEstimate: run === 'by damage' && reader === 'checksum',
    reason,
  };
}
