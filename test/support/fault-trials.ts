import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryEvent } from '../../src/db/driver/pool-adapter.js';
import { SfsyncError } from '../../src/errors.js';
import { seededRandom } from '../../src/sim/random.js';
import { backfillHooks } from '../../src/ops/repair/backfill.js';
import { runRepair, type RepairOptions } from './repair.js';
import {
  campaignTemplates,
  dropTemplates,
  logicalState,
  safetyViolations,
  snapshot,
  trialDatabases,
  type Isolation,
} from './campaign.js';
import { terminateSessions } from './sessions.js';
import { fixtureConfig } from './configs.js';

export type Mode = 'repair' | 'backfill';

/**
 * The sessions a fault can hit, by the application_name sfsync gives them (a run's audits use the
 * same pools as its writes).
 */
export const TARGETS = ['mirror/write', 'mirror/lock', 'source/read'] as const;
export type Target = (typeof TARGETS)[number];

export function runOptions(mode: Mode, extra: Partial<RepairOptions> = {}): RepairOptions {
  return {
    command: mode,
    dryRun: false,
    strategy: 'reinsert',
    batchSize: 4,
    concurrency: 2,
    staleMs: 30 * 60_000,
    commandLine: `sfsync ${mode} --yes`,
    ...(mode === 'backfill' ? { backfill: backfillHooks(false) } : {}),
    ...extra,
  };
}

export const trialConfig = (urls: { sourceUrl: string; mirrorUrl: string }) => fixtureConfig(urls);

export interface Reference {
  /** The end state every interrupted run must converge to. */
  readonly state: string[];
  /** Statements an uninterrupted run makes, in all and per pool (`mirror/write`…). */
  readonly statements: number;
  readonly byPool: ReadonlyMap<string, number>;
}

/** An uninterrupted run and a second one, counting statements. */
export async function reference(
  templates: { source: string; mirror: string },
  mode: Mode,
  isolation?: Isolation,
): Promise<Reference> {
  const dbs = await trialDatabases(templates, isolation);
  try {
    let statements = 0;
    const byPool = new Map<string, number>();
    const count = (event: QueryEvent) => {
      statements++;
      byPool.set(pool(event), (byPool.get(pool(event)) ?? 0) + 1);
    };
    await runRepair(trialConfig(dbs), runOptions(mode, { onQuery: count }));
    await runRepair(trialConfig(dbs), runOptions(mode));
    return { state: await logicalState(dbs.mirrorUrl), statements, byPool };
  } finally {
    await dbs.drop();
  }
}

const pool = (event: QueryEvent) => `${event.database}/${event.purpose}`;

/**
 * Where a trial strikes: before the `index`-th statement of the whole run
 * (the target may well be idle then, and must be replaced unnoticed), or of
 * the pool that statement runs on (the target is about to be used: its
 * statement, or its transaction, fails). The lock session runs no statements
 * of its own while the run writes, so a lock fault strikes among the writer's.
 */
export interface Strike {
  readonly on: 'any' | string;
  readonly index: number;
}

export function strikeFor(target: Target, trial: number, seed: number, ref: Reference): Strike {
  const random = seededRandom(seed);
  const on = trial % 2 === 0 ? 'any' : target === 'mirror/lock' ? 'mirror/write' : target;
  const total = on === 'any' ? ref.statements : (ref.byPool.get(on) ?? 1);
  return { on, index: 1 + Math.floor(random() * total) };
}

export interface TrialResult {
  readonly target: Target;
  readonly at: Strike;
  /** How the faulted run ended: 'done', or the kind of error it stopped with. */
  readonly outcome: string;
  /** Whether the fault found a session to terminate. */
  readonly injected: boolean;
  readonly violations: readonly string[];
  readonly converged: boolean;
}

/**
 * One trial: fresh databases, a run whose `target` sessions are terminated
 * just before its `at`-th statement, the safety invariants, then an
 * uninterrupted run that must reach the reference state.
 */
export async function faultTrial(
  templates: { source: string; mirror: string },
  mode: Mode,
  target: Target,
  at: Strike,
  expected: string[],
  isolation?: Isolation,
): Promise<TrialResult> {
  const dbs = await trialDatabases(templates, isolation);
  try {
    const before = await snapshot(dbs.mirrorUrl);
    const [database, purpose] = target.split('/') as ['source' | 'mirror', string];
    let count = 0;
    let injected = false;
    const onQuery = async (event: QueryEvent) => {
      if (at.on !== 'any' && pool(event) !== at.on) return;
      if (++count !== at.index) return;
      injected =
        (await terminateSessions(
          database === 'source' ? dbs.sourceUrl : dbs.mirrorUrl,
          `sfsync/${database}/${purpose}`,
        )) > 0;
    };
    let outcome = 'done';
    try {
      await runRepair(trialConfig(dbs), runOptions(mode, { onQuery }));
    } catch (error) {
      // Anything but sfsync's own typed errors is a bug (an unhandled pg error, a TypeError).
      if (!(error instanceof SfsyncError)) throw error;
      outcome = error.kind;
    }
    const violations = await safetyViolations(before, dbs.mirrorUrl);
    // The rerun, as the next cron job would.
    await runRepair(trialConfig(dbs), runOptions(mode));
    const converged =
      JSON.stringify(await logicalState(dbs.mirrorUrl)) === JSON.stringify(expected);
    return {
      target,
      at,
      outcome,
      injected,
      violations: [...violations, ...(await safetyViolations(before, dbs.mirrorUrl))],
      converged,
    };
  } finally {
    await dbs.drop();
  }
}

/**
 * One line for the log (and the closing note): trials, faults injected, how the runs ended, what
 * broke.
 */
export function summarise(
  mode: string,
  statements: number,
  results: readonly TrialResult[],
): string {
  const outcomes = new Map<string, number>();
  for (const r of results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  const injected = results.filter((r) => r.injected).length;
  const ended = [...outcomes].map(([k, n]) => `${k} ${n}`).join(', ');
  const violations = results.flatMap((r) => r.violations).length;
  const converged = results.filter((r) => r.converged).length;
  return (
    `${mode} fault campaign: ${results.length} trials over ${statements} statements, ` +
    `${injected} faults injected; ` +
    `runs ended: ${ended}; violations: ${violations}; converged: ${converged}`
  );
}

/**
 * Fault injection on real databases: in each trial a session of a running
 * repair or backfill (its mirror pool, its lock, or its source pool; the
 * run's audits go through the same pools) is terminated with pg_terminate_backend just before a
 * statement chosen by a fixed seed. After each: the safety invariants hold, and one uninterrupted
 * rerun reaches the end state of a run that was never interrupted.
 */
export function defineFaultCampaign(
  mode: Mode,
  trials: number,
  seed: number,
  isolation?: Isolation,
): void {
  let templates: { source: string; mirror: string };
  let expected: Reference;
  const results: TrialResult[] = [];
  const under = isolation ? `, the mirror defaulting to ${isolation}` : '';

  beforeAll(async () => {
    templates = await campaignTemplates();
    expected = await reference(templates, mode, isolation);
  }, 120_000);

  afterAll(async () => {
    await dropTemplates(templates);
    console.log(summarise(`${mode}${under}`, expected.statements, results));
  });

  describe(`${mode} under injected connection faults${under}`, () => {
    for (let trial = 0; trial < trials; trial++) {
      const target = TARGETS[trial % TARGETS.length]!;
      it(`trial ${trial + 1}: ${target} terminated at a seeded point`, async () => {
        const result = await faultTrial(
          templates,
          mode,
          target,
          strikeFor(target, trial, seed + trial, expected),
          expected.state,
          isolation,
        );
        results.push(result);
        expect(result.violations).toEqual([]);
        expect(result.converged).toBe(true);
      }, 60_000);
    }
  });
}
