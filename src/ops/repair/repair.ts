import { writeProgressText } from '../../core/progress/progress-text.js';
import { randomUUID } from 'node:crypto';
import type { RunConfig, WritableEntity } from '../../config/types.js';
import type { MismatchClass } from '../../core/audit/types.js';
import { CAPTURED_XMLBINARY } from '../../core/connect/heroku-connect.js';
import {
  WRITE_ACTIONS,
  type PlannedAction,
  type PlanOptions,
  type RepairStrategy,
} from '../../core/repair/plan.js';
import {
  addToSummary,
  asPlanned,
  completeEntities,
  emptyRepairSummary,
  statusCounts,
  type ActionResult,
  type RepairResult,
  type RepairSummary,
} from '../../core/repair/result.js';
import { DatabaseError, InterruptedError } from '../../errors.js';
import type { QueryObserver, SessionTimeouts } from '../../db/driver/connect.js';
import { ensureJournal, finishRun, startRun } from '../../db/sfsync/journal.js';
import { acquireWriteLock } from '../../db/sfsync/lock.js';
import type { SchemaCatalog } from '../../core/schema/catalog.js';
import {
  grantStatements,
  quoteIdent,
  writeNeeds,
  type WriteNeeds,
} from '../../core/repair/grants.js';
import { missingWritePrivileges } from '../../db/catalog/check-privileges.js';
import { countSettled } from '../../db/mirror/write-mirror.js';
import { applyActions, type ApplyContext } from './apply-actions.js';
import { WriteBudget, type WriteCaps } from '../../core/repair/write-budget.js';
import { attemptsReadable, resetAttempts } from '../../db/sfsync/attempts.js';
import { countingResends, gateResends, type AttemptsGate } from './attempts-gate.js';
import { settleWrites } from './settle.js';
import type { OutcomeCounts } from '../../core/repair/confirm.js';
import { KEYS_PER_READ } from '../audit/details.js';
import { openDatabases, type Databases } from '../databases.js';
import { auditScope } from '../audit/scope.js';
import { refuseUnsettledConfig } from '../config-todos.js';
import { planInBatches, type PassOptions } from './pass.js';
import { currentActor, currentHost } from '../run-identity.js';
import { runGuard, type RunGuard } from './run-guard.js';
import type { Connection } from '../../db/driver/connect.js';

export type { ActionResult, RepairResult, RepairSummary } from '../../core/repair/result.js';

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

/** Counts a batch's actions and hands them to the caller. */
async function report(
  summary: RepairSummary,
  actions: readonly ActionResult[],
  options: RepairOptions,
): Promise<void> {
  addToSummary(summary, actions);
  await options.onActions?.(actions);
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

interface LevelContext {
  readonly runId: string;
  readonly dbs: Databases;
  readonly options: RepairOptions;
  readonly passOptions: PassOptions;
  readonly planOptions: PlanOptions;
  readonly guard: RunGuard;
  /** What the run has done so far. */
  readonly summary: RepairSummary;
  /** The preview's counts, for progress. */
  readonly planned: Readonly<RepairSummary>;
  /** What the write caps still allow, over every level and the deferred lookups. */
  readonly budget: WriteBudget;
  /** Holds back the re-sends that used their attempts or wait out a backoff. */
  readonly gate: AttemptsGate;
}

async function applyByLevel(
  config: RunConfig,
  entities: readonly string[],
  ctx: LevelContext,
): Promise<void> {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  let levelIndex = 0;
  for (const level of config.graph.levels) {
    const names = level.filter((name) => entities.includes(name) && !byName.get(name)!.readOnly);
    if (names.length === 0) continue;
    ctx.guard.check();
    // Each level is planned from a fresh audit, which sees what the earlier levels wrote.
    if (levelIndex++ > 0 && ctx.options.waitMs) await waitForParents(config, names, ctx);
    const written = new Map<string, number>();
    // When each entity's first write began: its rate so far gives the time left.
    const startedAt = new Map<string, number>();
    await planInBatches(
      ctx.dbs,
      config,
      names,
      ctx.passOptions,
      ctx.planOptions,
      async (entity, planned) => {
        const { go: plan, held } = await gateResends(ctx.dbs.mirror, planned, ctx.gate);
        await report(ctx.summary, held, ctx.options);
        const { allowed, deferred } = ctx.budget.split(plan);
        const writes = allowed.filter((a) => WRITE_ACTIONS.has(a.action));
        const total = writeCount(ctx.planned, entity.name);
        const before = written.get(entity.name) ?? 0;
        written.set(entity.name, before + writes.length);
        await report(
          ctx.summary,
          [...allowed.filter((a) => !WRITE_ACTIONS.has(a.action)).map(asPlanned), ...deferred],
          ctx.options,
        );
        if (writes.length === 0) return;
        const last = before + writes.length;
        const expected = Math.max(total, last);
        if (!startedAt.has(entity.name)) startedAt.set(entity.name, Date.now());
        ctx.options.onProgress?.(
          writeProgressText({
            entity: entity.name,
            before,
            after: last,
            expected,
            batchSize: ctx.options.batchSize,
            elapsedMs: Date.now() - startedAt.get(entity.name)!,
          }),
        );
        await report(
          ctx.summary,
          await applyWrites(entity, writes, ctx, ctx.options.backfill?.beforeCommit),
          ctx.options,
        );
        ctx.options.onProgress?.(`${entity.name}: ${last} of ~${expected} change(s) written`);
      },
    );
    if (ctx.options.waitMs)
      await waitForConnect(
        ctx,
        names.map((name) => byName.get(name) as WritableEntity),
        ctx.options.waitMs,
      );
  }
  if (ctx.options.waitMs) await setDeferredLookups(config, entities, ctx);
}

/** Writes the preview planned for an entity. */
function writeCount(planned: Readonly<RepairSummary>, entity: string): number {
  const byAction = planned[entity] ?? {};
  return [...WRITE_ACTIONS].reduce((sum, action) => sum + (byAction[action]?.planned ?? 0), 0);
}

/**
 * Carries out one entity's write actions through the run's connections, and says how each ended.
 */
async function applyWrites(
  entity: WritableEntity,
  writes: readonly PlannedAction[],
  ctx: LevelContext,
  beforeCommit?: ApplyContext['beforeCommit'],
) {
  const outcomes = await applyActions(writes, {
    runId: ctx.runId,
    source: ctx.dbs.source,
    mirror: ctx.dbs.mirror,
    batchSize: ctx.options.batchSize,
    beforeCommit: countingResends(beforeCommit),
    guard: ctx.guard,
    columns: ctx.dbs.mirrorCatalog.tables.get(entity.mirror.table)!.columns,
    tables: ctx.dbs.tables.writable.get(entity.name)!,
  });
  return writes.map(
    (a, i): ActionResult => ({ ...a, status: outcomes[i]!.status, detail: outcomes[i]!.detail }),
  );
}

/**
 * The second phase, with --wait: once every level is written and synced, set
 * the deferred lookups (self-lookups, the lookups that close a cycle) whose
 * parents now have an sfid. Without --wait the next run does it: the audit
 * reports those rows as drift on the lookup, and the plan updates them.
 */
async function setDeferredLookups(
  config: RunConfig,
  reported: readonly string[],
  ctx: LevelContext,
): Promise<void> {
  const entities = config.entities.filter(
    (e): e is WritableEntity =>
      !e.readOnly && reported.includes(e.name) && e.parents.some((p) => p.deferred),
  );
  if (entities.length === 0) return;
  ctx.guard.check();
  const deferredOf = new Map(
    entities.map((e) => [
      e.name,
      new Set(e.parents.filter((p) => p.deferred).map((p) => p.lookup)),
    ]),
  );
  ctx.options.onProgress?.(
    `auditing ${entities.map((e) => e.name).join(', ')} for deferred lookups`,
  );
  // Backfill too: setting a deferred lookup is the rest of writing the row, so this plan is not
  // insert-only. Only the deferred lookups: other drift on those rows is the business of a repair's
  // own levels, not of this phase.
  const planOptions = { ...ctx.planOptions, insertOnly: false };
  await planInBatches(
    ctx.dbs,
    config,
    entities.map((e) => e.name),
    ctx.passOptions,
    planOptions,
    async (entity, plan) => {
      const { allowed: writes, deferred } = ctx.budget.split(
        plan
          .filter((a) => a.action === 'update')
          .map((a) => ({
            ...a,
            columns: a.columns.filter((column) => deferredOf.get(a.entity)?.has(column)),
          }))
          .filter((a) => a.columns.length > 0),
      );
      await report(ctx.summary, deferred, ctx.options);
      if (writes.length === 0) return;
      ctx.options.onProgress?.(`${entity.name}: setting ${writes.length} deferred lookup(s)`);
      // No checkpoint: a backfill's checkpoint is the last key its inserts committed, and these are
      // updates.
      await report(ctx.summary, await applyWrites(entity, writes, ctx), ctx.options);
    },
  );
}

/**
 * With --wait, before a level is written: while some of its rows wait for a
 * parent Connect has not synced yet (written by an earlier level or run),
 * audit again every second until they are free or the wait runs out.
 */
async function waitForParents(
  config: RunConfig,
  entities: readonly string[],
  ctx: LevelContext,
): Promise<void> {
  const deadline = Date.now() + (ctx.options.waitMs ?? 0);
  for (;;) {
    ctx.options.onProgress?.(`auditing ${entities.join(', ')}`);
    let waiting = 0;
    await planInBatches(
      ctx.dbs,
      config,
      entities,
      ctx.passOptions,
      ctx.planOptions,
      async (_entity, plan) => {
        waiting += plan.filter(
          (a) => a.action === 'defer' && a.blockedBy?.state === 'unsynced',
        ).length;
      },
    );
    if (waiting === 0 || Date.now() >= deadline) return;
    ctx.options.onProgress?.(
      `waiting for Connect: ${waiting} row(s) wait for a parent without an sfid yet`,
    );
    await sleep(Math.min(1_000, deadline - Date.now()), ctx);
  }
}

/**
 * Waits, then checks the run may go on (a wait is where an interruption is most likely to land).
 */
async function sleep(ms: number, ctx: LevelContext): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    ctx.options.signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      ctx.options.signal?.removeEventListener('abort', done);
      resolve();
    }
  });
  ctx.guard.check();
}

/**
 * Polls until Connect has given every row this run inserted into these entities an sfid or FAILED
 * it, or time runs out.
 */
async function waitForConnect(
  ctx: LevelContext,
  entities: readonly WritableEntity[],
  waitMs: number,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let written = 0;
    let settled = 0;
    let synced = 0;
    let failed = 0;
    for (const entity of entities) {
      const counts = await countSettled(
        ctx.dbs.mirror.db,
        ctx.dbs.tables.mirrors.get(entity.name)!,
        ctx.runId,
      );
      written += counts.written;
      settled += counts.settled;
      synced += counts.synced;
      failed += counts.failed;
    }
    if (written === 0) return;
    ctx.options.onProgress?.(
      `waiting for Connect: ${synced} synced, ${failed} failed, ` +
        `${written - settled} pending of ${written}`,
    );
    if (settled >= written || Date.now() >= deadline) return;
    await sleep(Math.min(1_000, deadline - Date.now()), ctx);
  }
}

/**
 * Refuses a role that lacks a privilege the plan's writes need, before anything is written, with
 * the GRANTs to run.
 */
async function assertPrivileges(
  mirror: Connection,
  catalog: SchemaCatalog,
  needs: WriteNeeds,
  command: RepairOptions['command'],
): Promise<void> {
  const missing = await missingWritePrivileges(mirror.db, mirror.schema, needs, {
    backfill: command === 'backfill',
  });
  if (missing.length === 0) return;
  const role = catalog.role ?? 'the_role';
  throw new DatabaseError(
    [
      `the mirror database role "${role}" lacks privileges this ${command} needs; ` +
        'nothing was written. As the database owner, run:',
      ...grantStatements(missing, role).map((statement) => `  ${statement}`),
    ].join('\n'),
    { database: 'mirror', sqlstate: '42501' },
  );
}

/**
 * Refuses to write where Connect would not capture the writes, or lacks what the strategy needs.
 */
function assertWritable(
  mirror: Connection,
  catalog: SchemaCatalog,
  strategy: RepairStrategy,
): void {
  if (catalog.xmlbinaryDenied) {
    const grantee = quoteIdent(catalog.role ?? 'the_role');
    throw new DatabaseError(
      `refusing to write: role "${catalog.role}" may not execute get_xmlbinary(), ` +
        "which Connect's triggers call on every write " +
        '(and sfsync needs to prove its writes are captured): ' +
        `GRANT EXECUTE ON FUNCTION public.get_xmlbinary() TO ${grantee};`,
      { database: 'mirror', sqlstate: '42501' },
    );
  }
  if (catalog.xmlbinary !== undefined && catalog.xmlbinary !== CAPTURED_XMLBINARY) {
    throw new DatabaseError(
      `refusing to write: this session's get_xmlbinary() is '${catalog.xmlbinary}', ` +
        `not '${CAPTURED_XMLBINARY}', ` +
        "so Heroku Connect would never send sfsync's changes to Salesforce",
    );
  }
  if (strategy === 'recapture' && !catalog.functions.has('hc_capture_insert_from_row')) {
    throw new DatabaseError(
      "--strategy recapture needs Heroku Connect's " +
        `${mirror.schema}.hc_capture_insert_from_row(), ` +
        'which this mirror database does not have; use the default strategy (reinsert)',
    );
  }
}
