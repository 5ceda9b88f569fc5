import { beforeEach, describe, expect, it } from 'vitest';
import { runRepair, type RepairResult } from '../support/repair.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { configFrom, fixtureConfig, repairOptions } from '../support/configs.js';
import { fixtureConfigObject } from '../support/config-text.js';

/**
 * The policy of a FAILED row on real PostgreSQL: school u(8) failed with a validation rule
 * (FIELD_CUSTOM_VALIDATION_EXCEPTION, data-fix) on Town__c. The write caps of a run.
 */
const db = useFixtureDatabases();
const INVALID = u(8);
const find = (result: RepairResult, entity: string, key: string) =>
  result.actions.find((a) => a.entity === entity && a.key === key)!;
const writes = (result: RepairResult) =>
  result.actions.filter((a) => ['insert', 'reinsert', 'update', 'dedupe'].includes(a.action));

async function invalidRows() {
  return (
    await db.mirror(
      'SELECT id, sfid, town__c, _hc_lastop FROM salesforce.editor__c WHERE editoruuid__c = $1',
      [INVALID],
    )
  ).rows;
}

beforeEach(async () => {
  await db.reset();
  await buildAuditScenario(db);
});

describe('a data-fix failure', () => {
  it('waits while its source row is unchanged, saying which field and what to fix', async () => {
    const plan = await runRepair(fixtureConfig(db), repairOptions({ dryRun: true }));
    const school = find(plan, 'school', INVALID);
    expect(school).toMatchObject({ action: 'skip', status: 'skipped' });
    expect(school.reason).toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION (data-fix) on Town__c');
    expect(school.reason).toMatch(
      /re-sent once the source row changes, or with --retry FIELD_CUSTOM_VALIDATION_EXCEPTION$/,
    );
    const before = await invalidRows();
    const applied = await runRepair(fixtureConfig(db), repairOptions());
    expect(find(applied, 'school', INVALID).status).toBe('skipped');
    expect(await invalidRows()).toEqual(before);
  });

  it('is re-sent with the fix once the app changed its source row', async () => {
    await db.source("UPDATE schools SET municipality = 'Ely' WHERE id = $1", [INVALID]);
    const plan = await runRepair(fixtureConfig(db), repairOptions({ dryRun: true }));
    expect(find(plan, 'school', INVALID)).toMatchObject({
      action: 'reinsert',
      status: 'planned',
      reason:
        'FIELD_CUSTOM_VALIDATION_EXCEPTION (data-fix), the source changed since the failure ' +
        '(town__c): delete the sfid-NULL FAILED row, insert it again',
    });
    const [failed] = await invalidRows();
    const applied = await runRepair(fixtureConfig(db), repairOptions());
    expect(find(applied, 'school', INVALID).status).toBe('done');
    const rows = await invalidRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sfid: null, town__c: 'Ely', _hc_lastop: 'PENDING' });
    expect(rows[0]!.id).not.toBe(failed!.id);
  });

  it('is re-sent unchanged when the operator asks by code or by policy', async () => {
    for (const retry of [['FIELD_CUSTOM_VALIDATION_EXCEPTION'], ['data-fix']]) {
      const plan = await runRepair(fixtureConfig(db), repairOptions({ dryRun: true, retry }));
      expect(find(plan, 'school', INVALID)).toMatchObject({ action: 'reinsert' });
      expect(find(plan, 'school', INVALID).reason).toContain(
        `re-sent as asked (--retry ${retry[0]})`,
      );
    }
    const other = await runRepair(
      fixtureConfig(db),
      repairOptions({ dryRun: true, retry: ['config-fix'] }),
    );
    expect(find(other, 'school', INVALID).action).toBe('skip');
  });

  it('made terminal by the config is never re-sent, even after a source change', async () => {
    const raw = fixtureConfigObject();
    const config = configFrom(
      { ...raw, repair: { policies: { FIELD_CUSTOM_VALIDATION_EXCEPTION: 'terminal' } } },
      db,
    );
    await db.source("UPDATE schools SET municipality = 'Ely' WHERE id = $1", [INVALID]);
    const plan = await runRepair(config, repairOptions({ dryRun: true }));
    expect(find(plan, 'school', INVALID).action).toBe('skip');
    expect(find(plan, 'school', INVALID).reason).toContain(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION (terminal): never re-sent',
    );
  });
});

describe('the write caps', () => {
  it('--max-writes writes that many in plan order, defers the rest to the next run', async () => {
    const all = writes(await runRepair(fixtureConfig(db), repairOptions({ dryRun: true })));
    expect(all.length).toBeGreaterThan(4);

    const first = await runRepair(fixtureConfig(db), repairOptions({ maxWrites: 2 }));
    const done = writes(first).filter((a) => a.status === 'done');
    const left = writes(first).filter((a) => a.status === 'deferred');
    expect(done).toHaveLength(2);
    expect(done.every((a) => a.entity === 'school')).toBe(true);
    expect(left.length).toBeGreaterThan(0);
    for (const a of left)
      expect(a.reason).toMatch(/; left for the next run: the run's write cap of 2 is reached$/);
    const journaled = await db.mirror(
      'SELECT count(*)::int AS n FROM sfsync.journal WHERE run_id = $1',
      [first.runId],
    );
    expect(journaled.rows[0]!.n).toBe(2);

    const plan = await runRepair(fixtureConfig(db), repairOptions({ dryRun: true, maxWrites: 2 }));
    expect(writes(plan).filter((a) => a.status === 'planned')).toHaveLength(2);
    const second = await runRepair(fixtureConfig(db), repairOptions({ maxWrites: 2 }));
    const again = writes(second).filter((a) => a.status === 'done');
    expect(again).toHaveLength(2);
    const keys = (list: typeof done) => list.map((a) => `${a.entity}:${a.key}`);
    expect(keys(again)).not.toEqual(expect.arrayContaining(keys(done)));
  });

  it('an entity cap in the config holds that entity back and lets the others write', async () => {
    const raw = fixtureConfigObject();
    const entities = raw.entities.map((e: { name: string }) =>
      e.name === 'school' ? { ...e, maxWrites: 1 } : e,
    );
    const result = await runRepair(configFrom({ ...raw, entities }, db), repairOptions());
    const school = writes(result).filter((a) => a.entity === 'school');
    expect(school.filter((a) => a.status === 'done')).toHaveLength(1);
    expect(school.filter((a) => a.status === 'deferred').map((a) => a.reason)).toEqual([
      expect.stringMatching(/school's write cap of 1 \(maxWrites\) is reached$/),
    ]);
    expect(writes(result).some((a) => a.entity === 'role' && a.status === 'done')).toBe(true);
  });
});
