import type { MismatchClass } from '../../core/audit/types.js';
import type { RepairStrategy } from '../../core/repair/plan.js';
import type { ActionResult, RepairSummary } from '../../core/repair/result.js';
import type { Connection, QueryObserver, SessionTimeouts } from '../../db/driver/connect.js';
import type { ApplyContext } from './apply-actions.js';

/** What a repair or backfill run is asked to do, and how (the CLI's options, parsed). */
export interface RepairOptions {
  readonly command: 'repair' | 'backfill';
  readonly dryRun: boolean;
  readonly strategy: RepairStrategy;
  readonly only?: readonly MismatchClass[] | undefined;
  readonly entities?: readonly string[] | undefined;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly staleMs: number;
  /** After each level, wait up to this long for Connect to settle the rows written. */
  readonly waitMs?: number | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly commandLine: string;
  /**
   * Aborted by SIGINT/SIGTERM: the run stops at the next row, rolls the batch back and is marked
   * interrupted.
   */
  readonly signal?: AbortSignal | undefined;
  readonly timeouts?: SessionTimeouts | undefined;
  /** Awaited before every statement on the source and mirror (not the lock session). */
  readonly onQuery?: QueryObserver | undefined;
  /**
   * Every action, a batch at a time as it is planned (dry run) or carried out,
   * entity by entity; the result keeps only counts. Awaited: a slow reader
   * slows the run rather than filling memory.
   */
  readonly onActions?: ((actions: readonly ActionResult[]) => Promise<void> | void) | undefined;
  /**
   * Asked with the plan's counts (entity → action → status) before anything is written; false
   * stops the run.
   */
  readonly confirm?: (plan: Readonly<RepairSummary>) => Promise<boolean>;
  readonly onProgress?: (text: string) => void;
  /**
   * Backfill: extra work per committed batch, and entities to leave out (finished by an earlier
   * run).
   */
  readonly backfill?: BackfillHooks;
  /** Suspects an audit keeps in memory before spilling them to a file (tests lower it). */
  readonly suspectsInMemory?: number | undefined;
  /** `--allow-todo`: write although the config still has todo notes from `sfsync init`. */
  readonly allowTodo?: boolean | undefined;
  /** `--retry`: codes and policies whose FAILED rows are re-sent with their source unchanged. */
  readonly retry?: readonly string[] | undefined;
  /** `--max-writes`: the most rows this run writes (over the config's `repair.maxWrites`). */
  readonly maxWrites?: number | undefined;
  /** `--reset-attempts`: forget how often the entities' FAILED rows were re-sent, first. */
  readonly resetAttempts?: boolean | undefined;
}

export interface BackfillHooks {
  /** Entities an earlier run finished (with --restart: forgets them first, and so returns none). */
  finished(mirror: Connection): Promise<ReadonlySet<string>>;
  beforeCommit: ApplyContext['beforeCommit'];
  /** Marks the entities whose every action was done as finished. */
  finish(mirror: Connection, runId: string, complete: readonly string[]): Promise<void>;
}
