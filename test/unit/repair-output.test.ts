import { describe, expect, it } from 'vitest';
import type { ActionResult, RepairResult } from '../../src/core/repair/result.js';
import { addToSummary, emptyRepairSummary } from '../../src/core/repair/result.js';
import type { Output } from '../../src/cli/context.js';
import { ActionLog } from '../../src/render/action-log.js';
import { renderCsv } from '../../src/render/csv.js';
import { REPAIR_CSV_COLUMNS, writeRepairCsv } from '../../src/render/repair-csv.js';
import { actionJson, writeRepairJson } from '../../src/render/repair.js';

const ORDER = ['school', 'role'];

function action(
  entity: string,
  key: string,
  status: ActionResult['status'],
  extra: Partial<ActionResult> = {},
): ActionResult {
  return {
    entity,
    key,
    action: status === 'deferred' ? 'defer' : 'insert',
    class: 'absent',
    reason: `reason for ${key}`,
    code: null,
    mirrorId: null,
    deleteIds: [],
    columns: [],
    changes: [],
    blockedBy: null,
    status,
    detail: status === 'failed' ? 'it failed' : null,
    ...extra,
  };
}

/** An output that keeps everything written to it. */
function sink(): Output & { text: string } {
  const out = {
    text: '',
    write(t: string) {
      out.text += t;
      return true;
    },
  };
  return out;
}

/** Actions in the order a run with two entities at once might report them: interleaved. */
function run(count: number): { log: ActionLog; actions: ActionResult[]; result: RepairResult } {
  const log = new ActionLog(3, true);
  const actions: ActionResult[] = [];
  const summary = emptyRepairSummary(ORDER);
  for (let i = 0; i < count; i++) {
    const entity = i % 3 === 0 ? 'role' : 'school';
    // Keys long enough, and with characters of 2–4 UTF-8 bytes, that the spool's 64 KiB reads end
    // inside them.
    const batch = [
      action(
        entity,
        `k${i} é✓😀 ${'x'.repeat(i % 50)}`,
        i % 7 === 0 ? 'failed' : i % 5 === 0 ? 'deferred' : 'done',
      ),
    ];
    addToSummary(summary, batch);
    log.add(batch);
    actions.push(...batch);
  }
  return {
    log,
    actions,
    result: { runId: 'r', dryRun: false, cancelled: false, order: ORDER, summary },
  };
}

const canonical = (actions: readonly ActionResult[]) =>
  ORDER.flatMap((name) => actions.filter((a) => a.entity === name));

describe('a repair printed from its action log', () => {
  it('as JSON: exactly what JSON.stringify would give, entities in canonical order', async () => {
    for (const count of [0, 1, 5000]) {
      const { log, actions, result } = run(count);
      const out = sink();
      await writeRepairJson(out, log.report(result), 'repair');
      log.close();
      const expected = {
        tool: 'sfsync',
        command: 'repair',
        formatVersion: 1,
        dryRun: false,
        cancelled: false,
        runId: 'r',
        order: ORDER,
        // Without --wait, and when the result says nothing of earlier runs: not settled here.
        outcomes: null,
        earlierOutcomes: null,
        actions: canonical(actions).map(actionJson),
        summary: result.summary,
      };
      expect(out.text).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    }
  });

  it('as CSV: what renderCsv gives for the same rows', async () => {
    const { log, actions, result } = run(3000);
    const out = sink();
    await writeRepairCsv(out, log.report(result));
    log.close();
    const rows = canonical(actions).map((a) => [
      a.entity,
      a.key,
      a.action,
      a.status,
      a.class,
      a.code,
      a.mirrorId,
      a.deleteIds.join(' '),
      a.reason,
      a.detail,
      '',
    ]);
    expect(out.text).toBe(renderCsv(REPAIR_CSV_COLUMNS, rows));
  });

  it('keeps for the table the first few not done (nor planned) per entity, canonical order', () => {
    const { log, result } = run(100);
    const report = log.report(result);
    log.close();
    expect(report.notDone.map((a) => a.key.split(' ')[0])).toEqual(['k5', 'k7', 'k10']);
    expect(report.open).toEqual(report.notDone);
  });
});
