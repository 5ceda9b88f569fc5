import { beforeEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/ops/audit/audit.js';
import { runRepair } from '../support/repair.js';
import { configFrom, repairOptions } from '../support/configs.js';
import { connectActor } from '../support/connect-actor.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';

const db = useFixtureDatabases();

beforeEach(() => db.reset());

describe('two lookups to the same parent entity', () => {
  // A lesson with a teacher and a co-teacher, both contacts: each lookup keeps its own value.
  const config = () =>
    configFrom(
      {
        source: {},
        mirror: {},
        entities: [
          {
            name: 'contact',
            readOnly: true,
            mirror: { table: 'contact', externalId: 'pi_accounts_unique_id__c' },
          },
          {
            name: 'lesson',
            source: { table: 'lessons', key: 'id' },
            mirror: { table: 'lesson__c', externalId: 'lesson_uuid__c' },
            fields: { lessontitle__c: 'name' },
            parents: [
              {
                entity: 'contact',
                column: 'user_id',
                lookup: 'teacher__r__pi_accounts_unique_id__c',
              },
              {
                entity: 'contact',
                column: 'co_teacher_id',
                lookup: 'co_teacher__r__pi_accounts_unique_id__c',
              },
            ],
          },
        ],
      },
      db,
    );

  beforeEach(async () => {
    await db.source('ALTER TABLE lessons ADD COLUMN co_teacher_id uuid');
    await db.mirror(
      `ALTER TABLE salesforce.lesson__c
        ADD COLUMN co_teacher__r__pi_accounts_unique_id__c varchar(255)`,
    );
    const connect = connectActor(db);
    for (const key of [u(101), u(102)])
      await connect.fromSalesforce('contact', {
        pi_accounts_unique_id__c: key,
        lastname: 'Teacher',
      });
    await db.source(
      `INSERT INTO lessons (id, user_id, co_teacher_id, name) VALUES ($1, $2, $3, 'Loops')`,
      [u(1), u(101), u(102)],
    );
  });

  it('writes each lookup from its own source column', async () => {
    const repaired = await runRepair(config(), repairOptions());
    expect(repaired.actions.map((a) => `${a.action} ${a.status}`)).toEqual(['insert done']);
    const { rows } = await db.mirror(
      `SELECT teacher__r__pi_accounts_unique_id__c AS teacher,
              co_teacher__r__pi_accounts_unique_id__c AS co
         FROM salesforce.lesson__c`,
    );
    expect(rows).toEqual([{ teacher: u(101), co: u(102) }]);
  });

  it('reports drift on the one lookup that differs', async () => {
    await runRepair(config(), repairOptions());
    await db.asConnect(
      `UPDATE salesforce.lesson__c SET sfid = 'a0L000000000001AAA', _hc_lastop = 'SYNCED',
        teacher__r__pi_accounts_unique_id__c = $1`,
      [u(102)],
    );
    const result = await runAudit(config(), { staleMs: 60_000 });
    const lesson = result.entities.find((e) => e.name === 'lesson')!;
    expect([...lesson.mismatches].map((m) => [m.class, m.fields.map((f) => f.column)])).toEqual([
      ['drift', ['teacher__r__pi_accounts_unique_id__c']],
    ]);
  });
});
