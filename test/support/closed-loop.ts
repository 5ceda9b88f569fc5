import type { RunConfig } from '../../src/config/types.js';
import { ERROR_TAXONOMY } from '../../src/core/connect/error-taxonomy.js';
import { parseHcError } from '../../src/core/connect/hc-error.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { runRepair } from '../../src/ops/repair/repair.js';
import { ConnectSimulator, type SimOptions } from '../../src/sim/simulator.js';
import { configFrom } from './configs.js';
import type { FixtureDatabases } from './databases.js';

/**
 * The closed-loop campaign (issue 23): seeded trials of audit → repair --wait → audit, a
 * simulated Connect with faults working the trigger log the whole time, and the invariants a
 * closed loop must keep, checked from the databases themselves after every trial.
 */

export const MAX_ATTEMPTS = 4;
export const RUNS_PER_TRIAL = 4;
/** Re-sends a transient failure may take to converge (issue 23). */
export const CONVERGE_WITHIN = 3;
const SCHOOLS = 6;

/** The faults of every trial: transient, data-fix, terminal, dropped, delayed, flipped writes. */
export const CAMPAIGN_FAULTS: NonNullable<SimOptions['faults']> = {
  transient: 0.15,
  dataFix: 0.15,
  terminal: 0.08,
  drop: 0.05,
  delay: 0.1,
  delayCycles: 2,
  flip: 0.04,
};

/** Schools and their classes (a lookup to the school), re-sent at once and at most 4 times. */
export function campaignConfig(db: FixtureDatabases): RunConfig {
  return configFrom(
    {
      source: {},
      mirror: {},
      repair: { backoff: ['0s'], maxAttempts: MAX_ATTEMPTS },
      entities: [
        {
          name: 'school',
          source: { table: 'schools', key: 'id' },
          mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
          fields: { name: 'name' },
        },
        {
          name: 'school_class',
          source: { table: 'school_classes', key: 'id' },
          mirror: { table: 'classroom__c', externalId: 'classroomuuid__c' },
          fields: { classroomtitle__c: 'name' },
          parents: [{ entity: 'school', column: 'school_id', lookup: 'editor__r__editoruuid__c' }],
        },
      ],
    },
    db,
  );
}

const MIRRORS = { editor__c: 'editoruuid__c', classroom__c: 'classroomuuid__c' } as const;
/** Each entity's mirror table, as campaignConfig maps it. */
const MIRROR_OF: Readonly<Record<string, keyof typeof MIRRORS>> = {
  school: 'editor__c',
  school_class: 'classroom__c',
};

/** A clean world for a trial: the source rows, no mirror rows, no journal, an empty org. */
async function freshWorld(db: FixtureDatabases, seed: number): Promise<void> {
  await db.source('TRUNCATE school_classes, schools CASCADE');
  await db.asConnect(
    'TRUNCATE salesforce.editor__c, salesforce.classroom__c, salesforce._trigger_log, ' +
      'salesforce._trigger_log_archive RESTART IDENTITY',
  );
  await db.asConnect('DROP SCHEMA IF EXISTS sfsync CASCADE');
  await db.asConnect('DROP SCHEMA IF EXISTS sfsync_sim CASCADE');
  await db.source(
    `INSERT INTO schools (id, name, country_code)
       SELECT md5($1 || ':s' || i)::uuid, 'School ' || $1 || '-' || i, 'gb'
         FROM generate_series(1, ${SCHOOLS}) AS i`,
    [String(seed)],
  );
  await db.source(
    `INSERT INTO school_classes (id, school_id, name)
       SELECT md5($1 || ':c' || i)::uuid, md5($1 || ':s' || i)::uuid, 'Class ' || i
         FROM generate_series(1, ${SCHOOLS}) AS i`,
    [String(seed)],
  );
}

export interface TrialStats {
  runs: number;
  writes: number;
  confirmed: number;
  failedAgain: number;
  unconfirmed: number;
  transientFailures: number;
  dataFixFailures: number;
  terminalFailures: number;
  fixedBySource: number;
  gaveUp: number;
  /** Transient failures still failing after the last run (each re-sent in every run). */
  transientLeft: number;
  /** Transient failures by the runs they took to converge (landed, or handed to a person). */
  convergedAfter: Record<string, number>;
  /**
   * Transient failures with {@link CONVERGE_WITHIN} runs left that did not converge in them,
   * each re-sent every time and struck again by Connect every time (dropped, delayed, refused).
   */
  struckAgain: number;
  /** Transient failures that did not converge in time for another reason: a breach. */
  notConverged: string[];
  /** Transient failures a run left without re-sending them: a breach. */
  notResent: string[];
  simFaults: Record<string, number>;
}

/** One trial: RUNS_PER_TRIAL cycles; between the first and second, the app fixes half its data. */
export async function runTrial(db: FixtureDatabases, seed: number): Promise<TrialStats> {
  await freshWorld(db, seed);
  const config = campaignConfig(db);
  const sim = await ConnectSimulator.open(config, config.mirror, {
    failRate: 0,
    seed,
    latencyMs: 0,
    batchSize: 100,
    faults: CAMPAIGN_FAULTS,
  });
  const stop = new AbortController();
  const connect = sim.watch(stop.signal, 5);
  const stats: TrialStats = {
    runs: 0,
    writes: 0,
    confirmed: 0,
    failedAgain: 0,
    unconfirmed: 0,
    transientFailures: 0,
    dataFixFailures: 0,
    terminalFailures: 0,
    fixedBySource: 0,
    gaveUp: 0,
    transientLeft: 0,
    convergedAfter: {},
    struckAgain: 0,
    notConverged: [],
    notResent: [],
    simFaults: {},
  };
  // Rows the audit found FAILED with a transient code, free to go: the next run must re-send them.
  let due: { entity: string; key: string; mirrorId: number }[] = [];
  const transient = new Map<string, TransientFailure>();
  try {
    // audit → repair --wait → audit → …: each run's closing audit opens the next.
    await runAudit(config, { staleMs: 3_600_000 });
    for (let run = 1; run <= RUNS_PER_TRIAL; run++) {
      const result = await runRepair(config, {
        command: 'repair',
        dryRun: false,
        strategy: 'reinsert',
        batchSize: 50,
        concurrency: 1,
        staleMs: 3_600_000,
        waitMs: 150,
        commandLine: `campaign seed ${seed} run ${run}`,
      });
      stats.runs++;
      stats.confirmed += result.outcomes?.confirmed ?? 0;
      stats.failedAgain += result.outcomes?.failed_again ?? 0;
      stats.unconfirmed += result.outcomes?.unconfirmed ?? 0;
      for (const row of due) {
        const resent = await db.mirror(
          `SELECT 1 FROM sfsync.journal WHERE run_id = $1 AND entity = $2 AND action = 'delete'
              AND mirror_id = $3`,
          [result.runId, row.entity, row.mirrorId],
        );
        if (resent.rows.length === 0) stats.notResent.push(`${row.entity} ${row.key} (run ${run})`);
      }
      const after = await runAudit(config, { staleMs: 3_600_000 });
      due = after.entities.flatMap((e) =>
        [...e.mismatches]
          .filter((m) => m.class === 'failed' && m.policy === 'retry-now' && m.repairable)
          .map((m) => ({ entity: e.name, key: m.key, mirrorId: m.mirror!.id })),
      );
      await track(db, transient, after, run);
      for (const e of after.entities) stats.gaveUp += run === RUNS_PER_TRIAL ? e.counts.gave_up : 0;
      if (run === RUNS_PER_TRIAL) stats.transientLeft = due.length;
      // The app fixes the data Salesforce rejected, in every other trial.
      if (run === 1 && seed % 2 === 0) stats.fixedBySource += await fixDataFixRows(db);
    }
  } finally {
    stop.abort();
    await connect.catch(() => undefined);
    await sim.close();
  }
  Object.assign(stats.simFaults, sim.stats.faults);
  await judgeConvergence(db, transient, stats);
  const failures = await failuresSeen(db);
  stats.transientFailures = failures.filter((f) => f.policy === 'retry-now').length;
  stats.dataFixFailures = failures.filter((f) => f.policy === 'data-fix').length;
  stats.terminalFailures = failures.filter((f) => f.policy === 'terminal').length;
  stats.writes = Number(
    (await db.mirror(`SELECT count(*) AS n FROM sfsync.journal WHERE action <> 'delete'`)).rows[0]
      .n,
  );
  return stats;
}

interface TransientFailure {
  readonly entity: string;
  readonly key: string;
  /** The run whose write failed, seen by the audit after it. */
  readonly failedIn: number;
  /** The first run after which the row no longer failed for a transient reason. */
  convergedIn?: number;
}

/**
 * Notes each row the audit after `run` finds FAILED for a transient reason, and when each one
 * converges, read from the mirror itself: its row has an sfid (it landed), or it failed for a
 * reason a person must handle (that policy takes over). A row left PENDING has not converged:
 * Connect has not answered yet.
 */
async function track(
  db: FixtureDatabases,
  failures: Map<string, TransientFailure>,
  audit: Awaited<ReturnType<typeof runAudit>>,
  run: number,
): Promise<void> {
  for (const e of audit.entities)
    for (const m of e.mismatches)
      if ((m.class === 'failed' || m.class === 'gave_up') && m.policy === 'retry-now')
        if (!failures.has(`${e.name} ${m.key}`))
          failures.set(`${e.name} ${m.key}`, { entity: e.name, key: m.key, failedIn: run });
  for (const failure of failures.values()) {
    if (failure.convergedIn !== undefined || failure.failedIn >= run) continue;
    const table = MIRROR_OF[failure.entity]!;
    const ext = MIRRORS[table];
    const { rows } = await db.mirror(
      `SELECT sfid, _hc_lastop, _hc_err FROM salesforce.${table} WHERE ${ext}::text = $1`,
      [failure.key],
    );
    const row = rows[0];
    const landed = row?.sfid != null;
    const handedOver = row?._hc_lastop === 'FAILED' && policyOf(row._hc_err) !== 'retry-now';
    if (landed || handedOver) failure.convergedIn = run;
  }
}

/**
 * Every transient failure with {@link CONVERGE_WITHIN} runs left converged in them, or was
 * re-sent in each of them and struck again by Connect each time (the journal's outcome of every
 * re-send is failed_again or unconfirmed, and none is missing).
 */
async function judgeConvergence(
  db: FixtureDatabases,
  failures: ReadonlyMap<string, TransientFailure>,
  stats: TrialStats,
): Promise<void> {
  for (const failure of failures.values()) {
    if (failure.convergedIn !== undefined) {
      const runs = String(failure.convergedIn - failure.failedIn);
      stats.convergedAfter[runs] = (stats.convergedAfter[runs] ?? 0) + 1;
    }
    const deadline = failure.failedIn + CONVERGE_WITHIN;
    if (deadline > RUNS_PER_TRIAL) continue;
    if (failure.convergedIn !== undefined && failure.convergedIn <= deadline) continue;
    const { rows } = await db.mirror(
      `SELECT r.command_line, j.outcome FROM sfsync.journal j JOIN sfsync.runs r USING (run_id)
        WHERE j.entity = $1 AND j.key = $2 AND j.action <> 'delete'
        ORDER BY j.id`,
      [failure.entity, failure.key],
    );
    const resends = rows.filter((r) => {
      const run = Number(/ run (\d+)$/.exec(r.command_line)?.[1]);
      return run > failure.failedIn && run <= deadline;
    });
    const refused = (r: { outcome: string | null }) =>
      r.outcome === 'failed_again' || r.outcome === 'unconfirmed';
    if (resends.length > 0 && resends.every(refused)) stats.struckAgain++;
    else
      stats.notConverged.push(
        `${failure.entity} ${failure.key}: failed in run ${failure.failedIn}, not converged ` +
          `by run ${deadline}; re-sends: ${resends.map((r) => r.outcome).join(', ') || 'none'}`,
      );
  }
}

/** The app changes the source of each school Salesforce rejected for its data. */
async function fixDataFixRows(db: FixtureDatabases): Promise<number> {
  const { rows } = await db.mirror(
    `SELECT editoruuid__c AS key, _hc_err FROM salesforce.editor__c
      WHERE _hc_lastop = 'FAILED' AND sfid IS NULL`,
  );
  const keys = rows.filter((r) => policyOf(r._hc_err) === 'data-fix').map((r) => r.key as string);
  for (const key of keys) {
    await db.source(`UPDATE schools SET name = name || ' (fixed)' WHERE id = $1`, [key]);
    await db.mirror(
      `INSERT INTO campaign_fixes (key, fixed_at) VALUES ($1, clock_timestamp())
       ON CONFLICT DO NOTHING`,
      [key],
    );
  }
  return keys.length;
}

function policyOf(hcErr: string | null): string {
  const code = parseHcError(hcErr)?.code ?? 'UNKNOWN';
  return ERROR_TAXONOMY[code].policy;
}

/** Every failure Connect logged in the trial, by key, from the trigger log archive. */
async function failuresSeen(db: FixtureDatabases) {
  const failures: { table: string; recordId: number; policy: string }[] = [];
  const { rows } = await db.mirror(
    `SELECT table_name, record_id, sf_message FROM salesforce._trigger_log_archive
      WHERE state = 'FAILED'`,
  );
  for (const r of rows)
    failures.push({ table: r.table_name, recordId: r.record_id, policy: policyOf(r.sf_message) });
  return failures;
}

/** Ensures the table the campaign notes the app's fixes in (in the mirror, outside Connect). */
export async function prepareCampaign(db: FixtureDatabases): Promise<void> {
  await db.mirror(
    `CREATE TABLE IF NOT EXISTS public.campaign_fixes (
       key text PRIMARY KEY, fixed_at timestamptz NOT NULL)`,
  );
}

/**
 * What a closed loop must never do, found from the databases after a trial: one line per breach.
 */
export async function closedLoopViolations(db: FixtureDatabases): Promise<string[]> {
  const found: string[] = [];
  const q = async (text: string) => (await db.mirror(text)).rows;

  // Confirmed means landed: the row has an sfid and the org holds a record with it.
  for (const [table, ext] of Object.entries(MIRRORS)) {
    for (const r of await q(
      `SELECT j.id, j.key FROM sfsync.journal j
         LEFT JOIN salesforce.${table} m ON m.id = j.mirror_id
         LEFT JOIN sfsync_sim.records o ON o.sfid = m.sfid
        WHERE j.outcome = 'confirmed' AND j.mirror_table = '${table}'
          AND (m.sfid IS NULL OR o.sfid IS NULL OR o.external_id <> m.${ext}::text)`,
    ))
      found.push(`journal ${r.id} (${table} ${r.key}) confirmed, yet not in Salesforce`);
  }

  // Nothing that waits for a person is re-sent without a source change.
  for (const r of await q(
    `SELECT j.id, j.key, j.before->>'_hc_err' AS err, j.at, f.fixed_at
       FROM sfsync.journal j LEFT JOIN public.campaign_fixes f ON f.key = j.key
      WHERE j.action = 'delete' AND j.before->>'_hc_lastop' = 'FAILED'`,
  )) {
    const policy = policyOf(r.err);
    const fixedBefore = r.fixed_at !== null && r.fixed_at < r.at;
    if (policy === 'terminal' || (policy !== 'retry-now' && policy !== 'retry-after-parent'))
      if (!(fixedBefore && policy !== 'terminal'))
        found.push(`journal ${r.id}: ${r.key} re-sent after ${policy} without a source change`);
  }

  // Never past the maximum attempts.
  for (const r of await q(
    `SELECT key, attempts FROM sfsync.attempts WHERE attempts > ${MAX_ATTEMPTS}`,
  ))
    found.push(`${r.key}: ${r.attempts} attempts, more than ${MAX_ATTEMPTS}`);

  // No row with an sfid deleted; no row lost; no duplicate, in the mirror or in the org.
  for (const r of await q(
    `SELECT id, key FROM sfsync.journal WHERE action = 'delete' AND before->>'sfid' IS NOT NULL`,
  ))
    found.push(`journal ${r.id}: deleted ${r.key}, which had an sfid`);
  for (const [table, ext] of Object.entries(MIRRORS)) {
    for (const r of await q(
      `SELECT ${ext} AS key, count(*) AS n FROM salesforce.${table}
        GROUP BY ${ext} HAVING count(*) > 1`,
    ))
      found.push(`${table} ${r.key}: ${r.n} mirror rows`);
  }
  for (const r of await q(
    `SELECT object, external_id, count(*) AS n FROM sfsync_sim.records
      GROUP BY object, external_id HAVING count(*) > 1`,
  ))
    found.push(`${r.object} ${r.external_id}: ${r.n} records in Salesforce`);
  // Lost: a key sfsync wrote (or deleted to write again) that has no mirror row now.
  for (const [table, ext] of Object.entries(MIRRORS)) {
    for (const r of await q(
      `SELECT DISTINCT j.key FROM sfsync.journal j
        WHERE j.mirror_table = '${table}'
          AND NOT EXISTS (SELECT 1 FROM salesforce.${table} m WHERE m.${ext}::text = j.key)`,
    ))
      found.push(`${table} ${r.key}: lost, no mirror row`);
  }
  return found;
}
