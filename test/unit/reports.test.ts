import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../src/render/csv.js';
import { mdCell, mdCode } from '../../src/render/markdown-text.js';
import { previousSuccess, renderMetrics } from '../../src/render/metrics.js';
import { inCi, outputMode } from '../../src/cli/output-mode.js';
import { paint } from '../../src/render/paint.js';
import { progressLines } from '../../src/cli/progress.js';
import { notificationBody, shouldNotify } from '../../src/core/history/notification.js';
import { groupBySignature, stripIds } from '../../src/core/audit/signature.js';
import {
  increases,
  sparkline,
  totalsPerRun,
  type HistoryPoint,
} from '../../src/core/history/trend.js';
import { entityAudit, mismatch, noCounts } from '../support/audit-fixtures.js';

describe('output mode', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    [{ stdout: tty, stderr: tty }, {}, { interactive: true, color: true }],
    [{ stdout: pipe, stderr: pipe }, {}, { interactive: false, color: false }],
    [{ stdout: tty, stderr: tty }, { CI: 'true' }, { interactive: false, color: false }],
    [{ stdout: tty, stderr: tty }, { CI: 'false' }, { interactive: true, color: true }],
    [{ stdout: tty, stderr: tty }, { NO_COLOR: '1' }, { interactive: true, color: false }],
    [{ stdout: tty, stderr: tty }, { NO_COLOR: '' }, { interactive: true, color: true }],
    [{ stdout: pipe, stderr: pipe }, { FORCE_COLOR: '1' }, { interactive: false, color: true }],
    [{ stdout: pipe, stderr: pipe }, { FORCE_COLOR: '' }, { interactive: false, color: true }],
    [{ stdout: tty, stderr: tty }, { FORCE_COLOR: '0' }, { interactive: true, color: false }],
    [{ stdout: tty, stderr: tty }, { FORCE_COLOR: 'false' }, { interactive: true, color: false }],
    [
      { stdout: pipe, stderr: pipe },
      { NO_COLOR: 'x', FORCE_COLOR: '1' },
      { interactive: false, color: false },
    ],
    [{ stdout: tty, stderr: tty }, { TERM: 'dumb' }, { interactive: true, color: false }],
  ])('%o with %o', (streams, env, expected) => {
    expect(outputMode(streams, env)).toEqual({ ...expected, verbosity: 'normal' });
  });

  it('paints only when colour is on', () => {
    expect(paint({ color: false }).red('x')).toBe('x');
    expect(paint({ color: true }).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(inCi({ CI: '1' })).toBe(true);
    expect(inCi({ CI: '0' })).toBe(false);
  });
});

describe('progress lines off a terminal', () => {
  it('say the latest step at most once per interval, none in a short run', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = progressLines(
      (line) => lines.push(line),
      5_000,
      () => now,
    );
    progress.update('a');
    now = 4_999;
    progress.update('b');
    expect(lines).toEqual([]);
    now = 5_000;
    progress.update('c');
    now = 6_000;
    progress.succeed('d');
    now = 10_001;
    progress.update('e');
    expect(lines).toEqual(['c', 'e']);
  });

  it('say every step with --verbose', () => {
    const lines: string[] = [];
    const progress = progressLines(
      (line) => lines.push(line),
      0,
      () => 0,
    );
    progress.update('a');
    progress.succeed('b');
    expect(lines).toEqual(['a', 'b']);
  });
});

describe('error signatures', () => {
  it('strips the row-specific parts of a message', () => {
    expect(
      stripIds(
        'Foreign key external ID: 00000000-0000-4000-8000-000000000002 ' +
          'not found for field EditorUUID__c in entity Editor__c',
      ),
    ).toBe(
      'Foreign key external ID: <value> not found for field EditorUUID__c in entity Editor__c',
    );
    expect(
      stripIds(
        'duplicate value found: Email__c duplicates value on record with id: 0035g00000AbCdEAAZ',
      ),
    ).toBe('duplicate value found: Email__c duplicates value on record with id: <id>');
    expect(
      stripIds(
        "bad value 'Sm1th' for jane@example.org in row 42, id a1b2c3d4-e5f6-4a5b-8c7d-0123456789ab",
      ),
    ).toBe("bad value '…' for <email> in row <n>, id <uuid>");
    // Words of 15 or 18 letters are not IDs without a digit.
    expect(stripIds('INSUFFICIENT_ACCESS administratively')).toBe(
      'INSUFFICIENT_ACCESS administratively',
    );
  });

  it('groups by entity/class/code/field/stripped message; largest first, ties canonical', () => {
    const fk = (key: string, parent: string) =>
      mismatch({
        key,
        class: 'failed',
        code: 'FOREIGN_KEY_NOT_FOUND',
        reason: `FAILED: Foreign key external ID: ${parent} not found`,
        error: {
          message: `Foreign key external ID: ${parent} not found for field A__c in entity B__c`,
          field: 'A__c',
          object: 'B__c',
          statusCode: null,
        },
      });
    const groups = groupBySignature([
      entityAudit([mismatch({ key: 'x', class: 'absent', reason: 'no mirror row' })], {
        name: 'parent',
      }),
      entityAudit(
        [
          fk('1', 'p1'),
          fk('2', 'p2'),
          fk('3', 'p3'),
          mismatch({ key: '4', class: 'absent', reason: 'no mirror row' }),
        ],
        { name: 'child' },
      ),
    ]);
    expect(groups.map((g) => [g.entity, g.class, g.count, g.exampleKeys])).toEqual([
      ['child', 'failed', 3, ['1', '2', '3']],
      ['parent', 'absent', 1, ['x']],
      ['child', 'absent', 1, ['4']],
    ]);
    expect(groups[0]).toMatchObject({
      code: 'FOREIGN_KEY_NOT_FOUND',
      field: 'A__c',
      object: 'B__c',
    });
    expect(groups[0]!.message).toBe(
      'Foreign key external ID: <value> not found for field A__c in entity B__c',
    );
  });
});

describe('history', () => {
  const point = (
    entity: string,
    counts: HistoryPoint['counts'],
    runId = 'r1',
    at = 0,
  ): HistoryPoint => ({
    runId,
    entity,
    recordedAt: new Date(at),
    sourceRows: 1,
    mirrorRows: 1,
    unsyncedRows: 0,
    oldestUnsyncedAgeSeconds: null,
    counts,
  });
  const now = (name: string, counts: Partial<ReturnType<typeof noCounts>>, readOnly = false) => ({
    name,
    readOnly,
    counts: { ...noCounts(), ...counts },
  });

  it("finds the asked-for classes that grew against the same entity's previous run only", () => {
    const previous = new Map([['a', point('a', { failed: 2, absent: 5 })]]);
    expect(
      increases([now('a', { failed: 3, absent: 1 }), now('b', { failed: 9 })], previous),
    ).toEqual([{ entity: 'a', class: 'failed', before: 2, after: 3 }]);
    expect(increases([now('a', { failed: 3 })], previous, ['absent'])).toEqual([]);
    expect(increases([now('a', { orphan: 1 })], previous)).toEqual([
      { entity: 'a', class: 'orphan', before: 0, after: 1 },
    ]);
  });

  it('draws a sparkline from zero and sums runs across entities', () => {
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([1, 1])).toBe('██');
    expect(sparkline([0, 7, 14])).toBe('▁▅█');
    expect(
      totalsPerRun([
        point('a', { failed: 1 }, 'r2', 2),
        point('b', { absent: 2, ok: 9 }, 'r2', 2),
        point('a', { drift: 4 }, 'r1', 1),
      ]),
    ).toEqual([
      { runId: 'r1', recordedAt: new Date(1), mismatches: 4 },
      { runId: 'r2', recordedAt: new Date(2), mismatches: 3 },
    ]);
  });
});

describe('notification', () => {
  const outcome = { command: 'audit', host: 'ci', exitCode: 0, mismatches: 3, increases: [] };
  it('is sent only for a failed run or a grown class', () => {
    expect(shouldNotify(outcome)).toBe(false);
    expect(shouldNotify({ ...outcome, exitCode: 3 })).toBe(true);
    expect(
      shouldNotify({
        ...outcome,
        increases: [{ entity: 'a', class: 'failed', before: 1, after: 2 }],
      }),
    ).toBe(true);
  });
  it('says what happened in Slack text and in structured fields', () => {
    const body = notificationBody({
      ...outcome,
      exitCode: 1,
      increases: [{ entity: 'a', class: 'failed', before: 1, after: 2 }],
    });
    expect(body.text).toBe(
      'sfsync audit on ci: 3 mismatches (exit 1)\n' +
        'Grew since the previous recorded run:\n• a failed: 1 → 2',
    );
    expect(notificationBody({ ...outcome, exitCode: 3, error: 'database: gone\nmore' }).text).toBe(
      'sfsync audit on ci: failed: database: gone (exit 3)\nmore',
    );
    expect(
      notificationBody({ ...outcome, actions: { done: 4, failed: 0, deferred: 2 } }).text,
    ).toBe('sfsync audit on ci: 4 done, 2 deferred (exit 0)');
  });
});

describe('text for other programs', () => {
  it('CSV quotes what needs it and defuses formulas, but not numbers', () => {
    expect(
      renderCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['=HYPERLINK("x")', '-5'],
          ['@cmd', null],
          [' pad', 'line\nbreak'],
        ],
      ),
    ).toBe(
      'a,b\r\n"x,y","say ""hi"""\r\n"\'=HYPERLINK(""x"")",-5\r\n' +
        '\'@cmd,\r\n" pad","line\nbreak"\r\n',
    );
  });

  it('Markdown cells cannot break the table or carry HTML, links or emphasis', () => {
    expect(mdCell('a|b<img src=x>*c*_d_ [l](javascript:x)\nnext')).toBe(
      'a\\|b&lt;img src=x>\\*c\\*\\_d\\_ \\[l\\](javascript:x)<br>next',
    );
    expect(mdCode('a`b|c')).toBe("`a'b\\|c`");
  });

  it('metrics parse as Prometheus text; a failed run does not erase the last success', async () => {
    const audit = {
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      order: ['e'],
      entities: [
        entityAudit([], {
          name: 'e "quoted"\\name',
          counts: { ...noCounts(), failed: 2 },
          unsyncedRows: 3,
          oldestUnsyncedAgeSeconds: 40,
        }),
      ],
      totals: { ...noCounts(), sourceRows: 1, mirrorRows: 1, mismatches: 2 },
    };
    const text = await renderMetrics({
      command: 'audit',
      audit,
      durationSeconds: 1.23456,
      exitCode: 3,
      finishedAt: 1_800_000_000,
      previousSuccess: 1_700_000_000,
    });
    const families = Object.fromEntries(parsePrometheus(text).map((f) => [f.name, f]));
    expect(families.sfsync_mismatches!.metrics.find((m) => m.labels?.class === 'failed')).toEqual({
      labels: { entity: 'e "quoted"\\name', class: 'failed' },
      value: '2',
    });
    expect(families.sfsync_oldest_unsynced_age_seconds!.metrics).toEqual([
      { labels: { entity: 'e "quoted"\\name' }, value: '40' },
    ]);
    expect(families.sfsync_run_duration_seconds!.metrics[0]!.value).toBe('1.235');
    expect(families.sfsync_last_success_timestamp_seconds!.metrics[0]!.value).toBe('1700000000');
    expect(previousSuccess(text, 'audit')).toBe(1_700_000_000);
    expect(previousSuccess(text, 'repair')).toBeUndefined();
    const first = await renderMetrics({
      command: 'audit',
      durationSeconds: 1,
      exitCode: 3,
      finishedAt: 5,
    });
    expect(first).not.toContain('sfsync_last_success_timestamp_seconds');
  });
});
