import { beforeEach, describe, expect, it } from 'vitest';
import { runRepair, type RepairResult } from '../support/repair.js';
import { connectActor } from '../support/connect-actor.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { repairOptions, schoolConfig } from '../support/configs.js';
import { runAudit } from '../../src/ops/audit/audit.js';

/**
 * Attempts remembered across runs (sfsync.attempts): a FAILED row re-sent with the same values is
 * held back by a backoff and given up after maxAttempts, until its source row changes or the
 * operator resets it. Here: at most 2 attempts, 1 h apart.
 */
const db = useFixtureDatabases();
const KEY = u(42);
const LOCKED = 'UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record';
const config = () => schoolConfig(db, { maxAttempts: 2, backoff: ['1h'] });
const school = (result: RepairResult) => result.actions.find((a) => a.key === KEY)!;
const connect = () => connectActor(db);
const failAgain = () => connect().failed('editor__c', 'editoruuid__c', KEY, LOCKED);
const attempts = async () =>
  (
    await db.mirror(
      'SELECT attempts, last_code FROM sfsync.attempts WHERE entity = $1 AND key = $2',
      ['school', KEY],
    )
  ).rows;
const auditClass = async () => {
  const result = await runAudit(config(), { staleMs: 30 * 60_000 });
  return [...result.entities[0]!.mismatches].find((m) => m.key === KEY);
};
/** As if the last attempt was made this long ago. */
const ago = (interval: string) =>
  db.mirror(`UPDATE sfsync.attempts SET last_attempt_at = now() - $1::interval`, [interval]);

beforeEach(async () => {
  await db.reset();
  await db.source("INSERT INTO schools (id, name, country_code) VALUES ($1, 'Hill', 'gb')", [KEY]);
  await db.mirror("INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'Hill')", [
    KEY,
  ]);
  await failAgain();
});

describe('attempts remembered across runs', () => {
  it('counts each re-send, waits the backoff, gives up after the last attempt', async () => {
    const first = await runRepair(config(), repairOptions());
    expect(school(first)).toMatchObject({ action: 'reinsert', status: 'done' });
    expect(await attempts()).toEqual([{ attempts: 1, last_code: 'UNABLE_TO_LOCK_ROW' }]);

    await failAgain();
    const waiting = await runRepair(config(), repairOptions());
    expect(school(waiting)).toMatchObject({ action: 'defer', status: 'deferred' });
    expect(school(waiting).reason).toMatch(
      new RegExp(
        ': delete the sfid-NULL FAILED row, insert it again; ' +
          String.raw`attempt 2 of 2 not before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(backoff\)$`,
      ),
    );
    expect(await attempts()).toEqual([{ attempts: 1, last_code: 'UNABLE_TO_LOCK_ROW' }]);

    await ago('61 minutes');
    const second = await runRepair(config(), repairOptions());
    expect(school(second)).toMatchObject({ action: 'reinsert', status: 'done' });
    expect(await attempts()).toEqual([{ attempts: 2, last_code: 'UNABLE_TO_LOCK_ROW' }]);

    await failAgain();
    await ago('30 days');
    const given = await runRepair(config(), repairOptions());
    expect(school(given)).toMatchObject({ action: 'skip', status: 'skipped' });
    expect(school(given).reason).toMatch(
      new RegExp(
        '^repair gave up after 2 attempts; FAILED: .*: ' +
          're-sent once the source row changes, or after repair --reset-attempts$',
      ),
    );
    const rows = await db.mirror(
      'SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = $1',
      [KEY],
    );
    expect(rows.rows[0].n).toBe(1);
    // The audit reports it as its own class, which --fail-on and the metrics see.
    expect(await auditClass()).toMatchObject({
      class: 'gave_up',
      code: 'UNABLE_TO_LOCK_ROW',
      policy: 'retry-now',
      repairable: false,
      reason:
        'repair gave up after 2 attempts; FAILED: unable to obtain exclusive access to this record',
    });
    await db.source("UPDATE schools SET name = 'Hill Academy' WHERE id = $1", [KEY]);
    expect(await auditClass()).toMatchObject({ class: 'failed', repairable: true });
  });

  it('starts again from one when the source row changed since the failure', async () => {
    await runRepair(config(), repairOptions());
    await failAgain();
    await ago('61 minutes');
    await runRepair(config(), repairOptions());
    await failAgain();
    expect(await attempts()).toEqual([{ attempts: 2, last_code: 'UNABLE_TO_LOCK_ROW' }]);

    await db.source("UPDATE schools SET name = 'Hill Academy' WHERE id = $1", [KEY]);
    const fixed = await runRepair(config(), repairOptions());
    expect(school(fixed)).toMatchObject({ action: 'reinsert', status: 'done' });
    expect(await attempts()).toEqual([{ attempts: 1, last_code: 'UNABLE_TO_LOCK_ROW' }]);
  });

  it('--reset-attempts re-sends a given-up row; a dry run plans it, forgets nothing', async () => {
    await runRepair(config(), repairOptions());
    await failAgain();
    await ago('61 minutes');
    await runRepair(config(), repairOptions());
    await failAgain();

    const plan = await runRepair(config(), repairOptions({ dryRun: true, resetAttempts: true }));
    expect(school(plan)).toMatchObject({ action: 'reinsert', status: 'planned' });
    expect(await attempts()).toEqual([{ attempts: 2, last_code: 'UNABLE_TO_LOCK_ROW' }]);

    const reset = await runRepair(config(), repairOptions({ resetAttempts: true }));
    expect(school(reset)).toMatchObject({ action: 'reinsert', status: 'done' });
    expect(await attempts()).toEqual([{ attempts: 1, last_code: 'UNABLE_TO_LOCK_ROW' }]);
  });

  it('the dry run shows the hold and leaves the count alone', async () => {
    expect(await auditClass()).toMatchObject({ class: 'failed' });
    await runRepair(config(), repairOptions());
    await failAgain();
    expect(await auditClass()).toMatchObject({ class: 'failed', repairable: true });
    const plan = await runRepair(config(), repairOptions({ dryRun: true }));
    expect(school(plan)).toMatchObject({ action: 'defer', status: 'deferred' });
    expect(await attempts()).toEqual([{ attempts: 1, last_code: 'UNABLE_TO_LOCK_ROW' }]);
  });
});
