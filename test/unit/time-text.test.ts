import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/core/audit/result.js';
import type { HistoryPoint } from '../../src/core/history/trend.js';
import type { RunView } from '../../src/core/journal/views.js';
import { utc } from '../../src/core/time-text.js';
import { renderAuditMarkdown } from '../../src/render/audit-markdown.js';
import { renderHistoryTable } from '../../src/render/history.js';
import { renderJournalTable } from '../../src/render/journal.js';
import { entityAudit, noCounts } from '../support/audit-fixtures.js';

const AT = new Date('2026-12-06T12:08:04.512Z');
const SHOWN = '2026-12-06 12:08:04 UTC';
const ISO_ANYWHERE = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

const run: RunView = {
  runId: 'r1',
  command: 'repair',
  startedAt: AT,
  finishedAt: new Date(AT.getTime() + 61_000),
  actor: 'ci',
  host: 'runner',
  commandLine: 'sfsync repair --yes',
  dryRun: false,
  status: 'done',
  summary: null,
  changes: 1,
};

describe('one time format wherever a person reads a moment', () => {
  it('is the date, the time to the second and UTC', () => {
    expect(utc(AT)).toBe(SHOWN);
    expect(utc(new Date(0))).toBe('1970-01-01 00:00:00 UTC');
  });

  it('the journal list and one run show it, never ISO', () => {
    const list = renderJournalTable({ kind: 'runs', runs: [run] }, 200);
    const one = renderJournalTable(
      {
        kind: 'run',
        run,
        entries: [
          {
            id: 1,
            entity: 'role',
            mirrorTable: 'role__c',
            action: 'delete',
            key: 'k1',
            mirrorId: 5,
            before: { id: 5 },
            after: null,
            adjusted: {},
            at: AT,
            outcome: 'failed_again',
            outcomeCode: 'UNABLE_TO_LOCK_ROW',
          },
        ],
      },
      200,
    );
    expect(list).toContain(SHOWN);
    expect(one).toContain(`${SHOWN} → 2026-12-06 12:09:05 UTC`);
    expect(one.split(SHOWN).length).toBeGreaterThan(2);
    // What became of the row, once a run settled it.
    expect(one).toContain('→ failed again (UNABLE_TO_LOCK_ROW)');
    for (const text of [list, one]) expect(text).not.toMatch(ISO_ANYWHERE);
  });

  it('the history table and the audit report show it', () => {
    const point: HistoryPoint = {
      runId: 'r1',
      entity: 'role',
      recordedAt: AT,
      sourceRows: 3,
      mirrorRows: 3,
      unsyncedRows: 0,
      oldestUnsyncedAgeSeconds: null,
      counts: {},
    };
    const history = renderHistoryTable([point], ['role'], 200);
    expect(history).toContain(SHOWN);
    expect(history).not.toMatch(ISO_ANYWHERE);
    const entities = [entityAudit([], { name: 'role' })];
    const totals = { ...noCounts(), sourceRows: 0, mirrorRows: 0, mismatches: 0 };
    const result: AuditResult = {
      startedAt: AT,
      finishedAt: AT,
      order: ['role'],
      entities,
      totals,
    };
    const markdown = renderAuditMarkdown(result, undefined, 10);
    expect(markdown).toContain(SHOWN);
  });
});
