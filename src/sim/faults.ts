import { CONNECT_OWNED_COLUMNS } from '../core/connect/heroku-connect.js';
import type { SimFaultCode } from './fault-texts.js';
import { seededRandom } from './random.js';

/**
 * Per-run fault rates, each 0 to 1 (absent = 0). Every fault is deterministic from the run's seed,
 * and each kind draws from its own stream, so turning one on leaves the others' draws, and
 * `failRate`'s, as they were.
 */
export interface SimFaults {
  /** Per write attempt: UNABLE_TO_LOCK_ROW or REQUEST_LIMIT_EXCEEDED; a retry may succeed. */
  readonly transient?: number | undefined;
  /** Per row and values ({@link dataFixFault}): fails every time until the values change. */
  readonly dataFix?: number | undefined;
  /** Per row ({@link terminalFault}), whatever its values: ENTITY_IS_DELETED every time. */
  readonly terminal?: number | undefined;
  /** Per write attempt: logged SUCCESS, yet nothing reaches the org and the row stays PENDING. */
  readonly drop?: number | undefined;
  /** Per entry: left NEW for `delayCycles` calls of drain() before it is processed. */
  readonly delay?: number | undefined;
  /** How many drain() calls a delayed entry sits out (default {@link DEFAULT_DELAY_CYCLES}). */
  readonly delayCycles?: number | undefined;
  /** Per successful write: the next drain() logs a FAILED UPDATE for the record, sfid kept. */
  readonly flip?: number | undefined;
}

export const DEFAULT_DELAY_CYCLES = 3;

/** How often each fault struck in a run. */
export interface SimFaultStats {
  transient: number;
  dataFix: number;
  terminal: number;
  dropped: number;
  delayed: number;
  flipped: number;
}

export function noFaults(): SimFaultStats {
  return { transient: 0, dataFix: 0, terminal: 0, dropped: 0, delayed: 0, flipped: 0 };
}

/** A record as Connect would name it to Salesforce: the run's seed, its table and external ID. */
export interface SimRowIdentity {
  readonly seed: number;
  readonly table: string;
  readonly externalId: string;
}

export const DATA_FIX_CODES = [
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'REQUIRED_FIELD_MISSING',
  'STRING_TOO_LONG',
] as const;
export type DataFixCode = (typeof DATA_FIX_CODES)[number];

/**
 * Would Salesforce reject this row's values for good? A hash of (seed, table, external ID,
 * values), not a draw, so the same values fail every time with the same code, and fixed values
 * usually pass. `values` is the mirror row as `to_jsonb` gives it (what the simulator reads);
 * Connect-owned columns (sfid, _hc_lastop, systemmodstamp, …) are left out, so a failure or a
 * read-back does not change the answer.
 */
export function dataFixFault(
  row: SimRowIdentity & { readonly values: Readonly<Record<string, unknown>> },
  rate: number,
): DataFixCode | undefined {
  const business = Object.keys(row.values)
    .filter((column) => !CONNECT_OWNED_COLUMNS.includes(column))
    .sort()
    .map((column) => [column, row.values[column] ?? null]);
  const hash = rowHash(`data-fix\u0000${identity(row)}\u0000${JSON.stringify(business)}`);
  if (!(unit(hash) < rate)) return undefined;
  return DATA_FIX_CODES[mix32(hash ^ 0x9e3779b9) % DATA_FIX_CODES.length]!;
}

/** Is this record deleted in the org (ENTITY_IS_DELETED)? By identity alone, never its values. */
export function terminalFault(row: SimRowIdentity, rate: number): boolean {
  return unit(rowHash(`terminal\u0000${identity(row)}`)) < rate;
}

const TRANSIENT_CODES = ['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED'] as const;

/**
 * The drawn faults, one seeded stream per kind. A rate of 0 costs no draw, so a run without
 * faults consumes nothing.
 */
export class FaultDraws {
  private readonly streams: Record<'transient' | 'drop' | 'delay' | 'flip', () => number>;

  constructor(
    seed: number,
    private readonly faults: SimFaults,
  ) {
    this.streams = {
      transient: seededRandom(mix32(seed ^ 0x1b873593)),
      drop: seededRandom(mix32(seed ^ 0x27d4eb2f)),
      delay: seededRandom(mix32(seed ^ 0x165667b1)),
      flip: seededRandom(mix32(seed ^ 0x61c88647)),
    };
  }

  /** A retry-now code for this attempt, or undefined. */
  transient(): SimFaultCode | undefined {
    if (!this.hits('transient')) return undefined;
    return TRANSIENT_CODES[Math.floor(this.streams.transient() * TRANSIENT_CODES.length)]!;
  }

  hits(kind: 'transient' | 'drop' | 'delay' | 'flip'): boolean {
    const rate = this.faults[kind] ?? 0;
    return rate > 0 && this.streams[kind]() < rate;
  }
}

function identity(row: SimRowIdentity): string {
  return `${row.seed >>> 0}\u0000${row.table}\u0000${row.externalId}`;
}

/** FNV-1a over the UTF-16 units, finished with murmur3's mix so every bit of the text counts. */
function rowHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return mix32(hash);
}

function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function unit(hash: number): number {
  return hash / 4294967296;
}
