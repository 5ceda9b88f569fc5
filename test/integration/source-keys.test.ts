import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WritableEntity } from '../../src/config/types.js';
import { connect } from '../../src/db/driver/connect.js';
import { sourceRowsByKeyQuery } from '../../src/db/audit/source-query.js';
import { sourceTableOf } from '../../src/db/entity-tables.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { runRepair } from '../support/repair.js';
import { beforeFirstWrite } from '../support/races.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { oneEntityConfig, repairOptions } from '../support/configs.js';

const db = useFixtureDatabases();
const base = repairOptions({ batchSize: 2, concurrency: 1 });

beforeEach(() => db.reset());

/** A `school` entity written to editor__c from this source table and key. */
const school = (source: { table: string; key: string }, fields: Record<string, string>) => ({
  name: 'school',
  source,
  mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
  fields,
});

describe('a source key column of a domain type in another schema', () => {
  const config = () =>
    oneEntityConfig(school({ table: 'partner_schools', key: 'id' }, { name: 'name' }), db, {
      source: { schema: 'app' },
    });

  beforeEach(async () => {
    await db.source(
      `CREATE SCHEMA app; CREATE DOMAIN app.ext_id AS uuid; CREATE TABLE app.partner_schools (id
        app.ext_id PRIMARY KEY, name text NOT NULL)`,
    );
    await db.source(
      `INSERT INTO app.partner_schools SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12,
        '0'))::uuid, 'Partner ' || i FROM generate_series(1, 5) i`,
    );
  });

  it('passes doctor, the dry run and the repair, and a second run plans nothing', async () => {
    expect((await runDoctor(config())).ok).toBe(true);
    const planned = await runRepair(config(), { ...base, dryRun: true });
    expect(planned.actions.map((a) => a.action)).toEqual([
      'insert',
      'insert',
      'insert',
      'insert',
      'insert',
    ]);
    const applied = await runRepair(config(), base);
    expect(applied.actions.map((a) => a.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const { rows } = await db.mirror(
      `SELECT editoruuid__c, name FROM salesforce.editor__c ORDER BY editoruuid__c`,
    );
    expect(rows[0]).toEqual({ editoruuid__c: u(1), name: 'Partner 1' });
    expect((await runRepair(config(), { ...base, dryRun: true })).actions).toEqual([]);
  });

  it('looks rows up by key in the column type, so the primary key index can serve it', async () => {
    const source = await connect(config().source);
    try {
      const table = sourceTableOf('app', config().entities[0] as WritableEntity);
      const plan = await source.db.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        return sql<{
          'QUERY PLAN': string;
        }>`explain ${sourceRowsByKeyQuery(table, [u(1), u(2)])}`.execute(conn);
      });
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
        /Index (Only )?Scan (using|on) partner_schools_pkey/,
      );
    } finally {
      await source.close();
    }
  });
});

describe('a source key that more than one source row carries', () => {
  const config = () =>
    oneEntityConfig(school({ table: 'schools', key: 'name' }, { town__c: 'municipality' }), db);

  it('is reported as source_duplicate and never written', async () => {
    await db.source(
      `INSERT INTO schools (id, name, municipality, country_code) VALUES ($1, 'Twin', 'Ely', 'gb'),
        ($2, 'Twin', 'Diss', 'gb'), ($3, 'Single', 'Ely', 'gb')`,
      [u(1), u(2), u(3)],
    );
    const result = await runRepair(config(), base);
    expect(result.actions.map((a) => [a.key, a.class, a.action, a.status]).sort()).toEqual([
      ['Single', 'absent', 'insert', 'done'],
      ['Twin', 'source_duplicate', 'skip', 'skipped'],
    ]);
    const { rows } = await db.mirror(`SELECT editoruuid__c FROM salesforce.editor__c`);
    expect(rows).toEqual([{ editoruuid__c: 'Single' }]);
  });

  it('is skipped at write time when the duplicate appears after the audit', async () => {
    await db.source(
      `INSERT INTO schools (id, name, municipality, country_code) VALUES ($1, 'Late Twin', 'Ely',
        'gb')`,
      [u(1)],
    );
    const result = await runRepair(config(), {
      ...base,
      onQuery: beforeFirstWrite(() =>
        db.source(
          `INSERT INTO schools (id, name, municipality, country_code) VALUES ($1, 'Late Twin',
            'Diss', 'gb'), ($2, 'Late Twin', 'Ely', 'gb')`,
          [u(2), u(3)],
        ),
      ),
    });
    expect(result.actions).toMatchObject([
      {
        key: 'Late Twin',
        action: 'insert',
        status: 'skipped',
        detail: '3 source rows now have this key (source_duplicate): not written',
      },
    ]);
    expect((await db.mirror(`SELECT count(*)::int AS n FROM salesforce.editor__c`)).rows[0].n).toBe(
      0,
    );
  });
});
