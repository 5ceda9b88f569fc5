import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { RunConfig, WritableEntity } from '../config/types.js';
import type { MismatchClass } from '../core/audit-types.js';
import { CAPTURED_XMLBINARY } from '../core/heroku-connect.js';
import { initialStatus, planRepair, WRITE_ACTIONS, type ActionKind, type ActionStatus, type PlannedAction, type RepairStrategy } from '../core/plan.js';
import { DatabaseError, InterruptedError } from '../errors.js';
import type { Connection, QueryObserver, SessionTimeouts } from '../db/connect.js';
import { ensureJournal, finishRun, startRun } from '../db/journal.js';
import { acquireWriteLock } from '../db/lock.js';
import type { SchemaCatalog } from '../core/catalog.js';
import { grantStatements, quoteIdent, writeNeeds } from '../core/grants.js';
import { missingWritePrivileges } from '../db/check-privileges.js';
import { countSettled } from '../db/write-mirror.js';
import { applyActions, type ApplyContext } from './apply-actions.js';
import { auditWith, runAudit, type AuditResult } from './audit.js';
import { openDatabases, type Databases } from './databases.js';
import { auditScope } from './audit-scope.js';
import { currentActor, currentHost } from './run-identity.js';
import { runGuard, type RunGuard } from './run-guard.js';
import { appendAll } from '../core/arrays.js';

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
  /** Aborted by SIGINT/SIGTERM: the run stops at the next row, rolls the batch back and is marked interrupted. */
  readonly signal?: AbortSignal | undefined;
  readonly timeouts?: SessionTimeouts | undefined;
  /** Awaited before every statement on the source and mirror (not the lock session). */
  readonly onQuery?: QueryObserver | undefined;
  /** Asked with the full plan before anything is written; false stops the run. */
  readonly confirm?: (plan: readonly PlannedAction[]) => Promise<boolean>;
  readonly onProgress?: (text: string) => void;
  /** Backfill: extra work per committed batch, and actions to leave out (already done by an earlier run). */
  readonly backfill?: BackfillHooks;
}

export interface BackfillHooks {
  /** Leaves out the actions of entities an earlier run finished. */
  filter(mirror: Connection, actions: PlannedAction[]): Promise<PlannedAction[]>;
  beforeCommit: ApplyContext['beforeCommit'];
  /** Marks the entities whose every action was done as finished. */
  finish(mirror: Connection, runId: string, complete: readonly string[]): Promise<void>;
}

export interface ActionResult extends PlannedAction {
  readonly status: ActionStatus;
  /** What happened to the row when it was not simply done: PostgreSQL's message for `failed`, why for `skipped` (`error` in the JSON). */
  readonly detail: string | null;
}

export interface RepairResult {
  readonly runId: string | null;
  readonly dryRun: boolean;
  readonly cancelled: boolean;
  readonly order: readonly string[];
  readonly actions: readonly ActionResult[];
  /** entity → action → status → count. */
  readonly summary: Readonly<Record<string, Partial<Record<ActionKind, Partial<Record<ActionStatus, number>>>>>>;
}

/**
 * Plans the fixes for every mismatch in canonical order and, unless it is a
 * dry run, carries them out level by level: parents first, each level planned
 * from a fresh audit, so a child is written only when its parent has an sfid.
 */
export async function runRepair(config: RunConfig, options: RepairOptions): Promise<RepairResult> {
  const scope = auditScope(config, options.entities);
  const planOptions = { strategy: options.strategy, only: options.only, insertOnly: options.command === 'backfill' };
  const auditOptions = { staleMs: options.staleMs, signal: options.signal, timeouts: options.timeouts, onQuery: options.onQuery };

  if (options.dryRun) {
    options.onProgress?.('auditing');
    const plan = planRepair((await runAudit(config, { ...auditOptions, entities: scope.report })).entities, planOptions);
    return result(null, true, false, scope.report, plan.map(asPlanned));
  }

  // Lock and safety checks come before the audit, so a run that may not write stops at once.
  const lock = await acquireWriteLock(config.mirror, { timeouts: options.timeouts });
  const guard = runGuard(lock, options.signal);
  let dbs: Databases | undefined;
  try {
    // One pool per database for the whole run: every level's audit and its writes go through them.
    dbs = await openDatabases(config, {
      maxConnections: options.concurrency + 1,
      purposes: { source: 'read', mirror: 'write' },
      timeouts: options.timeouts,
      onQuery: options.onQuery,
    });
    const { source, mirror, mirrorCatalog } = dbs;
    const audit = (entities: readonly string[]) => auditWith(dbs!, config, { ...auditOptions, entities });
    assertWritable(mirror, mirrorCatalog, options.strategy);
    options.onProgress?.('auditing');
    const plan = planRepair((await audit(scope.report)).entities, planOptions);
    // Before the backfill filter, which reads sfsync's own tables: the plan's needs cover what is left after it.
    await assertPrivileges(config, mirror, mirrorCatalog, plan, options.command);
    const toApply = options.backfill ? await options.backfill.filter(mirror, plan) : plan;
    if (options.confirm && toApply.some((a) => WRITE_ACTIONS.has(a.action)) && !(await options.confirm(toApply))) {
      return result(null, false, true, scope.report, toApply.map(asPlanned));
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
    let outcome: ActionResult[];
    try {
      outcome = await applyByLevel(config, scope.report, toApply, { runId, source, mirror, options, audit, planOptions, guard, mirrorCatalog });
      options.onProgress?.('recording the run');
      const complete = scope.report.filter((name) => outcome.every((a) => a.entity !== name || a.status === 'done'));
      await options.backfill?.finish(mirror, runId, complete);
    } catch (error) {
      const status = error instanceof InterruptedError ? 'interrupted' : 'aborted';
      // If the mirror is gone too, the run stays 'running' and `sfsync journal` shows it abandoned once its lock is free.
      await finishRun(mirror.db, runId, status, { error: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      throw error;
    }
    const done = result(runId, false, false, scope.report, outcome);
    await finishRun(mirror.db, runId, outcome.some((a) => a.status === 'failed') ? 'failed' : 'done', done.summary);
    return done;
  } finally {
    await dbs?.close();
    await lock.release();
  }
}

interface LevelContext {
  runId: string;
  source: Connection;
  mirror: Connection;
  options: RepairOptions;
  audit: (entities: readonly string[]) => Promise<AuditResult>;
  planOptions: Parameters<typeof planRepair>[1];
  guard: RunGuard;
  mirrorCatalog: SchemaCatalog;
}

async function applyByLevel(config: RunConfig, reported: readonly string[], initial: PlannedAction[], ctx: LevelContext): Promise<ActionResult[]> {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  const results: ActionResult[] = [];
  const limit = pLimit(ctx.options.concurrency);
  let levelIndex = 0;
  for (const level of config.graph.levels) {
    const entities = level.filter((name) => reported.includes(name) && !byName.get(name)!.readOnly);
    if (entities.length === 0) continue;
    ctx.guard.check();
    // The first level uses the plan shown to the user; later ones see what the earlier levels wrote.
    let plan = initial.filter((a) => entities.includes(a.entity));
    if (levelIndex++ > 0) plan = await planLevel(entities, ctx);
    const written = await Promise.all(
      entities.map((name) =>
        limit(async () => {
          const entity = byName.get(name) as WritableEntity;
          const mine = plan.filter((a) => a.entity === name);
          const writes = mine.filter((a) => WRITE_ACTIONS.has(a.action));
          ctx.options.onProgress?.(`${name}: writing ${writes.length} change(s)`);
          const { applied, outcomes } = await applyWrites(entity, writes, ctx, ctx.options.backfill?.beforeCommit);
          appendAll(results, mine.filter((a) => !WRITE_ACTIONS.has(a.action)).map(asPlanned));
          appendAll(results, applied);
          return { entity, ids: outcomes.flatMap((o) => o.insertedIds) };
        }),
      ),
    );
    if (ctx.options.waitMs) await waitForConnect(ctx, written, ctx.options.waitMs);
  }
  if (ctx.options.waitMs) appendAll(results, await setDeferredLookups(config, reported, ctx));
  const order = new Map(config.graph.order.map((name, i) => [name, i]));
  return results.sort((a, b) => order.get(a.entity)! - order.get(b.entity)!);
}

/** Carries out one entity's write actions through the run's connections, and says how each ended. */
async function applyWrites(entity: WritableEntity, writes: readonly PlannedAction[], ctx: LevelContext, beforeCommit?: ApplyContext['beforeCommit']) {
  const outcomes = await applyActions(entity, writes, {
    runId: ctx.runId,
    source: ctx.source,
    mirror: ctx.mirror,
    batchSize: ctx.options.batchSize,
    beforeCommit,
    guard: ctx.guard,
    columns: ctx.mirrorCatalog.tables.get(entity.mirror.table)!.columns,
  });
  const applied: ActionResult[] = writes.map((a, i) => ({ ...a, status: outcomes[i]!.status, detail: outcomes[i]!.detail }));
  return { applied, outcomes };
}

/**
 * The second phase, with --wait: once every level is written and synced, set
 * the deferred lookups (self-lookups, the lookups that close a cycle) whose
 * parents now have an sfid. Without --wait the next run does it: the audit
 * reports those rows as drift on the lookup, and the plan updates them.
 */
async function setDeferredLookups(config: RunConfig, reported: readonly string[], ctx: LevelContext): Promise<ActionResult[]> {
  const entities = config.entities.filter((e): e is WritableEntity => !e.readOnly && reported.includes(e.name) && e.parents.some((p) => p.deferred));
  if (entities.length === 0) return [];
  ctx.guard.check();
  const deferredOf = new Map(entities.map((e) => [e.name, new Set(e.parents.filter((p) => p.deferred).map((p) => p.lookup))]));
  ctx.options.onProgress?.(`auditing ${entities.map((e) => e.name).join(', ')} for deferred lookups`);
  // Backfill too: setting a deferred lookup is the rest of writing the row, so this plan is not insert-only.
  // Only the deferred lookups: other drift on those rows is the business of a repair's own levels, not of this phase.
  const plan = planRepair((await ctx.audit(entities.map((e) => e.name))).entities, { ...ctx.planOptions, insertOnly: false })
    .filter((a) => a.action === 'update')
    .map((a) => ({ ...a, columns: a.columns.filter((column) => deferredOf.get(a.entity)?.has(column)) }))
    .filter((a) => a.columns.length > 0);
  const results: ActionResult[] = [];
  for (const entity of entities) {
    const writes = plan.filter((a) => a.entity === entity.name);
    if (writes.length === 0) continue;
    ctx.options.onProgress?.(`${entity.name}: setting ${writes.length} deferred lookup(s)`);
    // No checkpoint: a backfill's checkpoint is the last key its inserts committed, and these are updates.
    appendAll(results, (await applyWrites(entity, writes, ctx)).applied);
  }
  return results;
}

/**
 * A level's plan from a fresh audit. With --wait, while some rows wait for a
 * parent Connect has not synced yet (written by an earlier level or run), it
 * polls until they are free or the wait runs out.
 */
async function planLevel(entities: readonly string[], ctx: LevelContext): Promise<PlannedAction[]> {
  const deadline = Date.now() + (ctx.options.waitMs ?? 0);
  for (;;) {
    ctx.options.onProgress?.(`auditing ${entities.join(', ')}`);
    let plan = planRepair((await ctx.audit(entities)).entities, ctx.planOptions);
    if (ctx.options.backfill) plan = await ctx.options.backfill.filter(ctx.mirror, plan);
    const waiting = plan.filter((a) => a.action === 'defer' && a.blockedBy?.state === 'unsynced').length;
    if (waiting === 0 || Date.now() >= deadline) return plan;
    ctx.options.onProgress?.(`waiting for Connect: ${waiting} row(s) wait for a parent without an sfid yet`);
    await sleep(Math.min(1_000, deadline - Date.now()), ctx);
  }
}

/** Waits, then checks the run may go on (a wait is where an interruption is most likely to land). */
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

/** Polls until Connect has given every written row an sfid or FAILED it, or time runs out. */
async function waitForConnect(ctx: LevelContext, written: { entity: WritableEntity; ids: number[] }[], waitMs: number): Promise<void> {
  const total = written.reduce((n, w) => n + w.ids.length, 0);
  if (total === 0) return;
  const deadline = Date.now() + waitMs;
  for (;;) {
    let settled = 0;
    let synced = 0;
    let failed = 0;
    for (const w of written) {
      if (w.ids.length === 0) continue;
      const counts = await countSettled(ctx.mirror.db, ctx.mirror.schema, w.entity, w.ids);
      settled += counts.settled;
      synced += counts.synced;
      failed += counts.failed;
    }
    ctx.options.onProgress?.(`waiting for Connect: ${synced} synced, ${failed} failed, ${total - settled} pending of ${total}`);
    if (settled >= total || Date.now() >= deadline) return;
    await sleep(Math.min(1_000, deadline - Date.now()), ctx);
  }
}

/** Refuses a role that lacks a privilege the plan's writes need, before anything is written, with the GRANTs to run. */
async function assertPrivileges(
  config: RunConfig,
  mirror: Connection,
  catalog: SchemaCatalog,
  plan: readonly PlannedAction[],
  command: RepairOptions['command'],
): Promise<void> {
  const tableOf = new Map(config.entities.map((e) => [e.name, e.mirror.table]));
  const needs = writeNeeds(plan, (entity) => tableOf.get(entity)!);
  const missing = await missingWritePrivileges(mirror.db, mirror.schema, needs, { backfill: command === 'backfill' });
  if (missing.length === 0) return;
  const role = catalog.role ?? 'the_role';
  throw new DatabaseError(
    [
      `the mirror database role "${role}" lacks privileges this ${command} needs; nothing was written. As the database owner, run:`,
      ...grantStatements(missing, role).map((statement) => `  ${statement}`),
    ].join('\n'),
    { database: 'mirror', sqlstate: '42501' },
  );
}

/** Refuses to write where Connect would not capture the writes, or lacks what the strategy needs. */
function assertWritable(mirror: Connection, catalog: SchemaCatalog, strategy: RepairStrategy): void {
  if (catalog.xmlbinaryDenied) {
    throw new DatabaseError(
      `refusing to write: role "${catalog.role}" may not execute get_xmlbinary(), which Connect's triggers call on every write (and sfsync needs to prove its writes are captured): GRANT EXECUTE ON FUNCTION public.get_xmlbinary() TO ${quoteIdent(catalog.role ?? 'the_role')};`,
      { database: 'mirror', sqlstate: '42501' },
    );
  }
  if (catalog.xmlbinary !== undefined && catalog.xmlbinary !== CAPTURED_XMLBINARY) {
    throw new DatabaseError(
      `refusing to write: this session's get_xmlbinary() is '${catalog.xmlbinary}', not '${CAPTURED_XMLBINARY}', so Heroku Connect would never send sfsync's changes to Salesforce`,
    );
  }
  if (strategy === 'recapture' && !catalog.functions.has('hc_capture_insert_from_row')) {
    throw new DatabaseError(
      `--strategy recapture needs Heroku Connect's ${mirror.schema}.hc_capture_insert_from_row(), which this mirror database does not have; use the default strategy (reinsert)`,
    );
  }
}

function asPlanned(action: PlannedAction): ActionResult {
  return { ...action, status: initialStatus(action.action), detail: null };
}

function result(runId: string | null, dryRun: boolean, cancelled: boolean, order: readonly string[], actions: ActionResult[]): RepairResult {
  const summary: Record<string, Partial<Record<ActionKind, Partial<Record<ActionStatus, number>>>>> = {};
  for (const name of order) summary[name] = {};
  for (const a of actions) {
    const byAction = summary[a.entity] ?? {};
    const byStatus = byAction[a.action] ?? {};
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    byAction[a.action] = byStatus;
    summary[a.entity] = byAction;
  }
  return { runId, dryRun, cancelled, order, actions, summary };
}
