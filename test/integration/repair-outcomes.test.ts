import { beforeEach, describe, expect, it } from 'vitest';
import { runRepair } from '../support/repair.js';
import { connectActor } from '../support/connect-actor.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { repairOptions, schoolConfig } from '../support/configs.js';

/**
 * What became of each row a run sent, settled against the mirror and Connect's trigger log and
 * journaled: confirmed, failed_again or unconfirmed. Three schools are written; Connect (played by
 * the test) syncs one, fails one, and drops one (SUCCESS logged, nothing sent, no sfid).
 */
const db = useFixtureDatabases();
const [SYNCED, FAILS, DROPPED] = [u(61), u(62), u(63)];
const config = () => schoolConfig(db);
const outcomes = async () =>
  (
    await db.mirror(
      `SELECT key, outcome, outcome_code FROM sfsync.journal
        WHERE action = 'insert' ORDER BY key, id`,
    )
  ).rows;
const connect = () => connectActor(db);

/** Connect's turn: one row synced, one failed, one dropped. */
async function connectActs(): Promise<void> {
  await connect().inserted('editor__c', 'editoruuid__c', SYNCED);
  await connect().failed(
    'editor__c',
    'editoruuid__c',
    FAILS,
    'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
  );
  await db.asConnect(
    `UPDATE salesforce._trigger_log SET state = 'SUCCESS', processed_at = now()
      WHERE table_name = 'editor__c'
        AND record_id = (SELECT id FROM salesforce.editor__c WHERE editoruuid__c = $1)`,
    [DROPPED],
  );
}

beforeEach(async () => {
  await db.reset();
  for (const key of [SYNCED, FAILS, DROPPED])
    await db.source("INSERT INTO schools (id, name, country_code) VALUES ($1, 'S', 'gb')", [key]);
});

describe('the outcome of every row a run sent', () => {
  it('the next run settles what the last one sent, and says so', async () => {
    const first = await runRepair(config(), repairOptions());
    expect(first.outcomes).toBeUndefined();
    expect(first.earlier).toEqual({ confirmed: 0, failed_again: 0, unconfirmed: 0, pending: 0 });
    expect((await outcomes()).map((r) => r.outcome)).toEqual([null, null, null]);

    await connectActs();
    const second = await runRepair(config(), repairOptions());
    expect(second.earlier).toEqual({ confirmed: 1, failed_again: 1, unconfirmed: 0, pending: 1 });
    expect(await outcomes()).toEqual([
      { key: SYNCED, outcome: 'confirmed', outcome_code: null },
      { key: FAILS, outcome: 'failed_again', outcome_code: 'REQUIRED_FIELD_MISSING' },
      { key: DROPPED, outcome: null, outcome_code: null },
    ]);
  });

  it('with --wait, every row ends confirmed, failed again or unconfirmed', async () => {
    // Connect answers while the run waits: a watcher that acts once all three rows exist.
    const acting = (async () => {
      for (let i = 0; i < 200; i++) {
        const { rows } = await db.mirror(
          'SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)',
          [[SYNCED, FAILS, DROPPED]],
        );
        if (rows[0].n === 3) return connectActs();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const result = await runRepair(config(), repairOptions({ waitMs: 3_000 }));
    await acting;
    expect(result.outcomes).toEqual({ confirmed: 1, failed_again: 1, unconfirmed: 1, pending: 0 });
    expect((await outcomes()).map((r) => r.outcome)).toEqual([
      'confirmed',
      'failed_again',
      'unconfirmed',
    ]);
    // Unconfirmed is looked at again: once Connect really sends the dropped row, it is confirmed.
    await connect().inserted('editor__c', 'editoruuid__c', DROPPED);
    const later = await runRepair(config(), repairOptions());
    expect(later.earlier).toMatchObject({ confirmed: 1, unconfirmed: 0, pending: 0 });
    expect((await outcomes()).at(-1)).toEqual({
      key: DROPPED,
      outcome: 'confirmed',
      outcome_code: null,
    });
  });
});
