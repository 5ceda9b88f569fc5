import { UsageError } from '../../errors.js';
import type { AuditMethod } from '../audit/types.js';
import { checksumPays } from './segments.js';

/**
 * The method `--method` leaves for each entity once the run knows where its two schemas live:
 * one method for all, or `by damage` (checksums where they pay, else a stream; see checksumPays).
 */
export type RunMethod = AuditMethod | 'by damage';

/**
 * auto: in the database when both schemas share one; across two, by each entity's visible damage.
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

/** What is cheap to see of an entity before its method is chosen (db/audit/checksum-query.ts). */
export interface VisibleDamage {
  readonly sourceRows: number;
  readonly mirrorRows: number;
  /** Mirror rows without an sfid or FAILED. */
  readonly unhealthy: number;
}

export interface EntityFacts {
  /** `--every-key`: every key's rows are read in full. */
  readonly everyKey: boolean;
  /** Fields no SQL text compares as JavaScript does (ComparePlan.opaque). */
  readonly opaque: readonly string[];
  /** Measured only when the run method is `by damage` and the choice asks for it. */
  readonly damage?: VisibleDamage | undefined;
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
}

/** The entity's method, or `measure damage` when the choice needs its visible damage first. */
export function chooseMethod(
  run: RunMethod,
  facts: EntityFacts & { damage: VisibleDamage },
): MethodChoice;
export function chooseMethod(run: RunMethod, facts: EntityFacts): MethodChoice | 'measure damage';
export function chooseMethod(run: RunMethod, facts: EntityFacts): MethodChoice | 'measure damage' {
  const everyKey = facts.everyKey || facts.opaque.length > 0;
  let method: AuditMethod;
  if (run !== 'by damage') method = run;
  else if (facts.damage === undefined) return 'measure damage';
  else method = checksumPays(facts.damage) ? 'checksum' : 'stream';
  return {
    method,
    reader: method === 'checksum' && everyKey ? 'stream' : method,
    everyKey,
    fallback: method === 'join' ? 'stream' : undefined,
  };
}
