import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/core/audit/result.js';
import type { RepairResult } from '../../src/core/repair/result.js';
import type { CliContext } from '../../src/cli/context.js';
import { runWithReports, type WorkDone } from '../../src/cli/reports/emit.js';
import type { RepairReport } from '../../src/render/action-log.js';
import {
  LAST_SUCCESS,
  LAST_SUCCESS_FINDINGS,
  type MetricsInput,
  previousSuccess,
  previousValue,
  ranToCompletion,
  renderMetrics,
} from '../../src/render/metrics.js';
import { DatabaseError } from '../../src/errors.js';
import { entityAudit, noCounts } from '../support/audit-fixtures.js';
import { formatProblems, promlint } from '../support/promlint.js';

const audit: AuditResult = {
  startedAt: new Date(0),
  finishedAt: new Date(1000),
  order: ['role', 'contact'],
  entities: [
    entityAudit([], {
      name: 'role',
      counts: { ...noCounts(), missing_parent: 4 },
      unsyncedRows: 4,
      oldestUnsyncedAgeSeconds: 49,
    }),
    entityAudit([], { name: 'contact', readOnly: true, sourceRows: null }),
  ],
  totals: { ...noCounts(), missing_parent: 4, sourceRows: 1, mirrorRows: 2, mismatches: 4 },
};

function repairResult(dryRun: boolean, cancelled = false): RepairResult {
  return {
    runId: dryRun ? null : 'run-1',
    dryRun,
    cancelled,
    order: ['role'],
    summary: {
      role: {
        reinsert: dryRun ? { planned: 1 } : { done: 1 },
        insert: dryRun ? { planned: 2, deferred: 1 } : { done: 2, deferred: 1 },
      },
    },
    ...(dryRun
      ? {}
      : {
          outcomes: { confirmed: 2, failed_again: 1, unconfirmed: 0, pending: 0 },
          earlier: { confirmed: 4, failed_again: 0, unconfirmed: 1, pending: 2 },
        }),
  };
}

const base = { durationSeconds: 0.5, finishedAt: 1_800_000_000 };

/** Every kind of file sfsync writes, by the run that writes it. */
const VARIANTS: Record<string, MetricsInput> = {
  'audit, clean': { ...base, command: 'audit', audit, exitCode: 0 },
  'audit, findings (exit 1)': { ...base, command: 'audit', audit, exitCode: 1 },
  'audit stopped by the database (exit 3)': {
    ...base,
    command: 'audit',
    exitCode: 3,
    previousSuccess: 1_700_000_000,
    previousFindings: 1,
  },
  'audit that never succeeded (exit 3)': { ...base, command: 'audit', exitCode: 3 },
  'repair, applied': { ...base, command: 'repair', repair: repairResult(false), exitCode: 1 },
  'repair --dry-run': { ...base, command: 'repair', repair: repairResult(true), exitCode: 0 },
  'backfill --dry-run': { ...base, command: 'backfill', repair: repairResult(true), exitCode: 0 },
  'repair stopped by the lock (exit 4)': {
    ...base,
    command: 'repair',
    mode: 'apply',
    exitCode: 4,
    previousSuccess: 1_700_000_000,
    previousFindings: 0,
  },
  'repair --dry-run stopped by the database (exit 3)': {
    ...base,
    command: 'repair',
    mode: 'plan',
    exitCode: 3,
  },
};

type Labels = Record<string, string>;

/** The value of the one sample of `name` with exactly these labels. */
function sample(text: string, name: string, labels: Labels): string | undefined {
  const same = (l: Labels | undefined) =>
    JSON.stringify(Object.entries(l ?? {}).sort()) ===
    JSON.stringify(Object.entries(labels).sort());
  const family = parsePrometheus(text).find((f) => f.name === name);
  return family?.metrics.find((m) => same(m.labels))?.value;
}

const names = (text: string) => parsePrometheus(text).map((f) => f.name);

describe('metrics text', () => {
  it.each(Object.entries(VARIANTS))('passes promtool check metrics: %s', async (_, input) => {
    const text = await renderMetrics(input);
    expect(formatProblems(promlint(text))).toBe('');
    // A lint that passes because it read nothing proves nothing.
    expect(names(text)).toContain('sfsync_last_exit_code');
  });

  it('describes each family one way whatever the run, as the collector requires', async () => {
    const help = new Map<string, Set<string>>();
    for (const input of Object.values(VARIANTS)) {
      for (const f of parsePrometheus(await renderMetrics(input)))
        help.set(f.name, (help.get(f.name) ?? new Set()).add(f.help));
    }
    expect([...help].filter(([, texts]) => texts.size !== 1)).toEqual([]);
    expect([...help.keys()].sort()).toEqual([
      'sfsync_last_exit_code',
      'sfsync_last_run_timestamp_seconds',
      LAST_SUCCESS_FINDINGS,
      LAST_SUCCESS,
      'sfsync_mismatches',
      'sfsync_oldest_unsynced_age_seconds',
      'sfsync_repair_actions',
      'sfsync_repair_outcomes',
      'sfsync_rows',
      'sfsync_run_duration_seconds',
    ]);
  });

  it('counts a run with findings (exit 1) as completed: new last success, findings 1', async () => {
    const text = await renderMetrics({
      ...VARIANTS['audit, findings (exit 1)']!,
      previousSuccess: 5,
    });
    const audit = { command: 'audit' };
    expect(sample(text, LAST_SUCCESS, audit)).toBe('1800000000');
    expect(sample(text, LAST_SUCCESS_FINDINGS, audit)).toBe('1');
    expect(sample(text, 'sfsync_last_exit_code', audit)).toBe('1');
    const clean = await renderMetrics(VARIANTS['audit, clean']!);
    expect(sample(clean, LAST_SUCCESS, audit)).toBe('1800000000');
    expect(sample(clean, LAST_SUCCESS_FINDINGS, audit)).toBe('0');
  });

  it.each([2, 3, 4, 70, 74, 130, 143])(
    'keeps the last success and its findings through a run that exits %i',
    async (exitCode) => {
      const text = await renderMetrics({
        ...base,
        command: 'audit',
        exitCode,
        previousSuccess: 1_700_000_000,
        previousFindings: 1,
      });
      expect(sample(text, LAST_SUCCESS, { command: 'audit' })).toBe('1700000000');
      expect(sample(text, LAST_SUCCESS_FINDINGS, { command: 'audit' })).toBe('1');
      expect(sample(text, 'sfsync_last_run_timestamp_seconds', { command: 'audit' })).toBe(
        '1800000000',
      );
    },
  );

  it('writes no last success before a run has completed', async () => {
    const text = await renderMetrics(VARIANTS['audit that never succeeded (exit 3)']!);
    expect(names(text)).not.toContain(LAST_SUCCESS);
    expect(names(text)).not.toContain(LAST_SUCCESS_FINDINGS);
  });

  it('does not count an interrupted repair (exit 1, cancelled) as completed', async () => {
    expect(ranToCompletion(1, repairResult(false, true))).toBe(false);
    expect(ranToCompletion(1, repairResult(false))).toBe(true);
    const text = await renderMetrics({
      ...base,
      command: 'repair',
      repair: repairResult(false, true),
      exitCode: 1,
      previousSuccess: 1_700_000_000,
    });
    expect(sample(text, LAST_SUCCESS, { command: 'repair', mode: 'apply' })).toBe('1700000000');
  });

  it('labels a dry run plan and a writing run apply; an audit has no mode', async () => {
    const plan = await renderMetrics(VARIANTS['repair --dry-run']!);
    expect(
      sample(plan, 'sfsync_repair_actions', {
        entity: 'role',
        action: 'insert',
        status: 'planned',
        mode: 'plan',
      }),
    ).toBe('2');
    for (const name of ['sfsync_run_duration_seconds', 'sfsync_last_exit_code', LAST_SUCCESS])
      expect(sample(plan, name, { command: 'repair', mode: 'plan' }), name).toBeDefined();

    const apply = await renderMetrics(VARIANTS['repair, applied']!);
    expect(
      sample(apply, 'sfsync_repair_actions', {
        entity: 'role',
        action: 'reinsert',
        status: 'done',
        mode: 'apply',
      }),
    ).toBe('1');
    expect(sample(apply, LAST_SUCCESS_FINDINGS, { command: 'repair', mode: 'apply' })).toBe('1');
    expect(sample(apply, 'sfsync_repair_outcomes', { of: 'run', outcome: 'failed_again' })).toBe(
      '1',
    );
    expect(sample(apply, 'sfsync_repair_outcomes', { of: 'earlier', outcome: 'pending' })).toBe(
      '2',
    );
    expect(sample(plan, 'sfsync_repair_outcomes', { of: 'run', outcome: 'confirmed' })).toBe(
      undefined,
    );

    // The result is what happened: it wins over the mode the caller passed.
    const told = await renderMetrics({ ...VARIANTS['repair --dry-run']!, mode: 'apply' });
    expect(sample(told, 'sfsync_last_exit_code', { command: 'repair', mode: 'plan' })).toBe('0');

    const failed = await renderMetrics(
      VARIANTS['repair --dry-run stopped by the database (exit 3)']!,
    );
    expect(sample(failed, 'sfsync_last_exit_code', { command: 'repair', mode: 'plan' })).toBe('3');
    expect(names(failed)).not.toContain('sfsync_repair_actions');

    const auditText = await renderMetrics(VARIANTS['audit, clean']!);
    expect(auditText).not.toContain('mode=');
  });

  it('reads back only the series of the same command and mode', async () => {
    const files = await Promise.all([
      renderMetrics({ ...VARIANTS['audit, clean']!, finishedAt: 1 }),
      renderMetrics({ ...VARIANTS['repair --dry-run']!, finishedAt: 2 }),
      renderMetrics({ ...VARIANTS['repair, applied']!, finishedAt: 3 }),
    ]);
    const text = files.join('');
    expect(previousSuccess(text, 'audit')).toBe(1);
    expect(previousSuccess(text, 'repair', 'plan')).toBe(2);
    expect(previousSuccess(text, 'repair', 'apply')).toBe(3);
    expect(previousSuccess(text, 'repair')).toBeUndefined();
    expect(previousSuccess(text, 'backfill', 'plan')).toBeUndefined();
    expect(previousValue(text, LAST_SUCCESS_FINDINGS, 'repair', 'apply')).toBe(1);
    expect(previousValue(text, LAST_SUCCESS_FINDINGS, 'repair', 'plan')).toBe(0);
    expect(previousValue('garbage\n{}\n', LAST_SUCCESS, 'audit')).toBeUndefined();
  });
});

describe('metrics of a run, as the reports write and push them', () => {
  let dir: string;
  const pushed: { url: string; body: string }[] = [];
  let gateway: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfsync-metrics-'));
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        pushed.push({ url: req.url ?? '', body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  function context(): CliContext & { warnings: string } {
    const ctx = {
      stdout: { write: () => true },
      stderr: {
        write: (text: string) => {
          ctx.warnings += text;
          return true;
        },
      },
      stdin: process.stdin,
      stdinIsTTY: false,
      argv: [],
      env: {},
      cwd: dir,
      signal: new AbortController().signal,
      exitCode: 0,
      warnings: '',
    };
    return ctx as unknown as CliContext & { warnings: string };
  }

  const report = (result: RepairResult): RepairReport => ({
    result,
    notDone: [],
    open: [],
    actions: () => [],
  });

  const done = (work: Partial<WorkDone>): WorkDone => ({
    graph: undefined,
    increases: [],
    trend: null,
    ...work,
  });

  it('pushes a dry run to a plan group of its own and labels its file plan', async () => {
    const file = join(dir, 'plan.prom');
    const ctx = context();
    const options = {
      metrics: file,
      pushgateway: `${gateway}/`,
      notifyTimeout: 5000,
      dryRun: true,
    };
    await runWithReports({ context: ctx, options, details: 5 }, 'backfill', async () =>
      done({ repair: report(repairResult(true)) }),
    );
    const text = await readFile(file, 'utf8');
    expect(formatProblems(promlint(text))).toBe('');
    expect(sample(text, 'sfsync_last_exit_code', { command: 'backfill', mode: 'plan' })).toBe('0');
    expect(pushed.at(-1)).toEqual({
      url: '/metrics/job/sfsync/command/backfill/mode/plan',
      body: text,
    });
    expect(ctx.warnings).toBe('');
  });

  it('a failed dry run keeps the plan series of the file, not the apply one', async () => {
    const file = join(dir, 'failed-plan.prom');
    const previous = await Promise.all([
      renderMetrics({ ...VARIANTS['repair --dry-run']!, finishedAt: 11 }),
      renderMetrics({ ...VARIANTS['repair, applied']!, finishedAt: 22 }),
    ]);
    await writeFile(file, previous.join(''));
    const ctx = context();
    const options = { metrics: file, notifyTimeout: 5000, dryRun: true };
    await expect(
      runWithReports({ context: ctx, options, details: 5 }, 'repair', async () => {
        throw new DatabaseError('the mirror database is down');
      }),
    ).rejects.toThrow('the mirror database is down');
    const text = await readFile(file, 'utf8');
    const plan = { command: 'repair', mode: 'plan' };
    expect(sample(text, 'sfsync_last_exit_code', plan)).toBe('3');
    expect(sample(text, LAST_SUCCESS, plan)).toBe('11');
    expect(sample(text, LAST_SUCCESS_FINDINGS, plan)).toBe('0');
    expect(text).not.toContain('mode="apply"');
  });

  it('a run without --dry-run that fails is labelled apply', async () => {
    const file = join(dir, 'failed-apply.prom');
    await expect(
      runWithReports(
        { context: context(), options: { metrics: file, notifyTimeout: 5000 }, details: 5 },
        'repair',
        async () => {
          throw new DatabaseError('down');
        },
      ),
    ).rejects.toThrow('down');
    const text = await readFile(file, 'utf8');
    expect(sample(text, 'sfsync_last_exit_code', { command: 'repair', mode: 'apply' })).toBe('3');
  });

  it('an audit with findings writes a new last success without reading the old file', async () => {
    const file = join(dir, 'audit.prom');
    // Not a metrics file at all: a run that completes has nothing to carry over from it.
    await writeFile(file, `${LAST_SUCCESS}{command="audit"} 7\n`);
    const ctx = context();
    await runWithReports(
      {
        context: ctx,
        options: { metrics: file, pushgateway: gateway, notifyTimeout: 5000 },
        details: 5,
      },
      'audit',
      async () => {
        ctx.exitCode = 1;
        return done({ audit });
      },
    );
    const text = await readFile(file, 'utf8');
    const success = Number(sample(text, LAST_SUCCESS, { command: 'audit' }));
    expect(success).toBeGreaterThan(1_700_000_000);
    expect(sample(text, LAST_SUCCESS_FINDINGS, { command: 'audit' })).toBe('1');
    expect(pushed.at(-1)!.url).toBe('/metrics/job/sfsync/command/audit');
    expect(ctx.warnings).toBe('');
  });

  it('says exit 74 and keeps the last success when the HTML report is not written', async () => {
    const file = join(dir, 'html-failed.prom');
    await writeFile(file, await renderMetrics({ ...VARIANTS['audit, clean']!, finishedAt: 33 }));
    const ctx = context();
    const options = { metrics: file, html: join(dir, 'missing', 'r.html'), notifyTimeout: 5000 };
    await expect(
      runWithReports({ context: ctx, options, details: 5 }, 'audit', async () => done({ audit })),
    ).rejects.toMatchObject({ exitCode: 74 });
    const text = await readFile(file, 'utf8');
    expect(sample(text, 'sfsync_last_exit_code', { command: 'audit' })).toBe('74');
    expect(sample(text, LAST_SUCCESS, { command: 'audit' })).toBe('33');
  });
});
