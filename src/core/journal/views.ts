/** sfsync's journal as `sfsync journal` shows it: runs, and one run's changes. */

/**
 * Run statuses as stored; `abandoned` is never stored: it is a `running` run whose lock session is
 * gone.
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'aborted' | 'interrupted';

/** A run as `sfsync journal` shows it. */
export interface RunView {
  readonly runId: string;
  readonly command: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly actor: string | null;
  readonly host: string | null;
  readonly commandLine: string | null;
  readonly dryRun: boolean;
  readonly status: RunStatus | 'abandoned';
  readonly summary: unknown;
  /** Journal entries the run wrote. */
  readonly changes: number;
}

/** One change a run made. */
export interface JournalEntryView {
  readonly id: number;
  readonly entity: string;
  readonly mirrorTable: string;
  readonly action: string;
  readonly key: string | null;
  readonly mirrorId: number | null;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly adjusted: Record<string, unknown> | null;
  readonly at: Date;
  /**
   * What became of a row the entry sent (core/repair/confirm.ts): confirmed, failed_again or
   * unconfirmed; null until a later run (or this one's --wait) settled it, and for deletes.
   */
  readonly outcome: string | null;
  /** failed_again: the new failure's code. */
  readonly outcomeCode: string | null;
}

/** The runs, or one run with its changes. */
export type JournalView =
  | { kind: 'runs'; runs: RunView[] }
  | { kind: 'run'; run: RunView; entries: JournalEntryView[] };
