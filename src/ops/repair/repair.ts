import { randomUUID } from 'node:crypto';
import type { RunConfig, WritableEntity } from '../../config/types.js';
import type { PlanOptions } from '../../core/repair/plan.js';
import {
  addToSummary,
  asPlanned,
  completeEntities,
  emptyRepairSummary,
  statusCounts,
  type RepairResult,
} from '../../core/repair/result.js';
import { InterruptedError } from '../../errors.js';
import { ensureJournal, finishRun, startRun } from '../../db/sfsync/journal.js';
import { acquireWriteLock } from '../../db/sfsync/lock.js';
import { writeNeeds, type WriteNeeds } from '../../core/repair/grants.js';
import { WriteBudget, type WriteCaps } from '../../core/repair/write-budget.js';
import { attemptsReadable, resetAttempts } from '../../db/sfsync/attempts.js';
import { gateResends, type AttemptsGate } from './attempts-gate.js';
import { settleWrites } from './settle.js';
import type { OutcomeCounts } from '../../core/repair/confirm.js';
import { KEYS_PER_READ } from '../audit/details.js';
import { openDatabases, type Databases } from '../databases.js';
import { auditScope } from '../audit/scope.js';
import { refuseUnsettledConfig } from '../config-todos.js';
import { planInBatches, type PassOptions } from './pass.js';
import { currentActor, currentHost } from '../run-identity.js';
import { runGuard } from './run-guard.js';
import type { Connection } from '../../db/driver/connect.js';
import { report } from './level-context.js';
import { applyByLevel } from './levels.js';
import type { RepairOptions } from './options.js';
import { assertPrivileges, assertWritable } from './write-checks.js';

export type { ActionResult, RepairResult, RepairSummary } from '../../core/repair/result.js';
export type { BackfillHooks, RepairOptions } from './options.js';

/**
 * Plans the fixes for every mismatch in canonical order and, unless it is a
 * dry run, carries them out level by level: parents first, each level planned
 * from a fresh audit, so a child is written only when its parent has an sfid.
 * Mismatches are planned and written a batch at a time as the audit finds
 * them, and each batch's actions go to `onActions`: memory holds batches,
 * whatever the size of the tables.
 */
export async function runRepair(config: RunConfig, options: RepairOptions): Promise<RepairResult> {
  const scope = auditScope(config, options.entities);
  const planOptions: PlanOptions = {
    strategy: options.strategy,
    only: options.only,
    insertOnly: options.command === 'backfill',
    readOnly: new Set(config.entities.filter((e) => e.readOnly).map((e) => e.name)),
    retry: options.retry,
  };
  const caps: WriteCaps = {
    run: options.maxWrites ?? config.repair.maxWrites,
    perEntity: config.repair.maxWritesPerEntity,
  };
  const passOptions: PassOptions = {
    staleMs: options.staleMs,
    signal: options.signal,
    timeouts: options.timeouts,
    onQuery: options.onQuery,
    concurrency: options.concurrency,
    suspectsInMemory: options.suspectsInMemory,
    keysPerRead: keysPerBatch(options.batchSize),
    // Until a writing run has forgotten them (after the confirmation), plan as if it had.
    ignoreAttempts: options.resetAttempts,
  };

  if (options.dryRun) {
    const dbs = await openDatabases(config, {
      ...pools(options.concurrency, options),
      purposes: { source: 'audit', mirror: 'audit' },
    });
    try {
      options.onProgress?.('auditing');
      const summary = emptyRepairSummary(scope.report);
      const budget = new WriteBudget(caps);
      const gate = await attemptsGate(dbs.mirror, config, options);
      await planInBatches(
        dbs,
        config,
        scope.report,
        passOptions,
        planOptions,
        async (_entity, plan) => {
          const { go, held } = await gateResends(dbs.mirror, plan, gate);
          const planned = go.map((action) => budget.admit(action) ?? asPlanned(action));
          await report(summary, [...planned, ...held], options);
        },
      );
      return { runId: null, dryRun: true, cancelled: false, order: scope.report, summary };
    } finally {
      await dbs.close();
    }
  }

  // Every writing run, a confirmed one too: whoever answers the prompt may not know the config is
  // unfinished.
  refuseUnsettledConfig(config, options.allowTodo);
  // Lock and safety checks come before the audit, so a run that may not write stops at once.
  const lock = await acquireWriteLock(config.mirror, { timeouts: options.timeouts });
  const guard = runGuard(lock, options.signal);
  let dbs: Databases | undefined;
  try {
    // One pool per database for the whole run: every level's audit and its writes go through them.
    dbs = await openDatabases(config, {
      ...pools(options.concurrency, options),
      purposes: { source: 'read', mirror: 'write' },
    });
    const { mirror, mirrorCatalog } = dbs;
    assertWritable(mirror, mirrorCatalog, options.strategy);
    options.onProgress?.('auditing');
    const preview = await previewPlan(dbs, config, scope.report, passOptions, {
      ...planOptions,
      caps,
      gate: await attemptsGate(mirror, config, options),
    });
    // Before the backfill's checkpoints are read, which are sfsync's own tables: the plan's needs
    // cover what is left after.
    await assertPrivileges(mirror, mirrorCatalog, preview.needs, options.command);
    const finished = (await options.backfill?.finished(mirror)) ?? new Set<string>();
    const entities = scope.report.filter((name) => !finished.has(name));
    for (const name of scope.report) if (finished.has(name)) preview.summary[name] = {};
    const writes = statusCounts(preview.summary).planned;
    if (options.confirm && writes > 0 && !(await options.confirm(preview.summary))) {
      return {
        runId: null,
        dryRun: false,
        cancelled: true,
        order: scope.report,
        summary: preview.summary,
      };
    }
    const runId = randomUUID();
    await ensureJournal(mirror.db);
    await startRun(mirror.db, {
      runId,
      command: options.command,
      actor: currentActor(options.env ?? process.env),
      host: currentHost(),
      commandLine: options.commandLine,
      dryRun: false,
      lock,
    });
    const summary = emptyRepairSummary(scope.report);
    let outcomes: OutcomeCounts | undefined;
    let earlier: OutcomeCounts;
    // Everything after the run is recorded ends it, so a lost session never leaves it 'running'.
    try {
      if (options.resetAttempts) {
        const forgotten = await resetAttempts(mirror.db, entities);
        options.onProgress?.(`forgot the attempts of ${forgotten} FAILED row(s)`);
      }
      const writable = config.entities.filter(
        (e): e is WritableEntity => !e.readOnly && scope.report.includes(e.name),
      );
      // Earlier runs' writes first, before this run deletes any row they sent.
      options.onProgress?.('settling what earlier runs sent');
      earlier = await settleWrites(dbs, writable, { final: false });
      await applyByLevel(config, entities, {
        runId,
        dbs,
        options,
        passOptions,
        planOptions,
        guard,
        summary,
        planned: preview.summary,
        budget: new WriteBudget(caps),
        gate: { settings: config.repair.attempts, readable: true },
      });
      if (options.waitMs) {
        options.onProgress?.('settling what this run sent');
        outcomes = await settleWrites(dbs, writable, { runId, final: true });
      }
      options.onProgress?.('recording the run');
      await options.backfill?.finish(mirror, runId, completeEntities(summary, scope.report));
    } catch (error) {
      const status = error instanceof InterruptedError ? 'interrupted' : 'aborted';
      // If the mirror is gone too, the run stays 'running' and `sfsync journal` shows it abandoned
      // once its lock is free.
      await finishRun(mirror.db, runId, status, {
        error: error instanceof Error ? error.message : String(error),
      }).catch(() => undefined);
      throw error;
    }
    await finishRun(
      mirror.db,
      runId,
      statusCounts(summary).failed > 0 ? 'failed' : 'done',
      summary,
    );
    return {
      runId,
      dryRun: false,
      cancelled: false,
      order: scope.report,
      summary,
      outcomes,
      earlier,
    };
  } finally {
    await dbs?.close();
    await lock.release();
  }
}

/**
 * The attempts gate of a run: `--reset-attempts` plans as if none were recorded (a writing run
 * forgets them once it has the lock and is confirmed).
 */
async function attemptsGate(
  mirror: Connection,
  config: RunConfig,
  options: RepairOptions,
): Promise<AttemptsGate> {
  const readable = !options.resetAttempts && (await attemptsReadable(mirror.db));
  return { settings: config.repair.attempts, readable };
}

/**
 * Keys the audit hands over at a time: whole transactions' worth (--batch-size
 * rows each), some 5,000 or one batch if that is more. Memory holds this many.
 */
function keysPerBatch(batchSize: number): number {
  return batchSize * Math.ceil(KEYS_PER_READ / batchSize);
}

/**
 * Connections per pool: each of `concurrency` entities at once holds one
 * session in its audit's snapshot and uses one more to write (mirror) or to
 * read the rows it writes (source).
 */
function pools(concurrency: number, options: RepairOptions) {
  return { maxConnections: 2 * concurrency, timeouts: options.timeouts, onQuery: options.onQuery };
}

/**
 * The whole plan, counted and not kept: what the confirmation shows and what privileges its writes
 * need.
 */
async function previewPlan(
  dbs: Databases,
  config: RunConfig,
  entities: readonly string[],
  passOptions: PassOptions,
  planOptions: PlanOptions & { readonly caps: WriteCaps; readonly gate: AttemptsGate },
) {
  const tableOf = new Map(config.entities.map((e) => [e.name, e.mirror.table]));
  const summary = emptyRepairSummary(entities);
  const budget = new WriteBudget(planOptions.caps);
  let needs: WriteNeeds = writeNeeds([], (entity) => tableOf.get(entity)!);
  await planInBatches(dbs, config, entities, passOptions, planOptions, async (_entity, plan) => {
    const { go, held } = await gateResends(dbs.mirror, plan, planOptions.gate);
    addToSummary(summary, [
      ...go.map((action) => budget.admit(action) ?? asPlanned(action)),
      ...held,
    ]);
    needs = writeNeeds(plan, (entity) => tableOf.get(entity)!, needs);
  });
  return { summary, needs };
}
