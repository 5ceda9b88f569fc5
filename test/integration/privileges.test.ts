import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from 'vitest';

import { DatabaseError } from '../../src/errors.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { readJournal } from '../../src/ops/journal.js';
import { runRepair } from '../support/repair.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { adminQuery } from '../support/sessions.js';
import { fixtureConfig, repairOptions } from '../support/configs.js';
import { fingerprint } from '../support/fingerprint.js';

const db = useFixtureDatabases();
const role = `sfsync_ro_${randomBytes(3).toString('hex')}`;
/**
 * The fixture URLs, logged in as another role (the test server trusts 127.0.0.1, so no password).
 */
const as = (name: string, url: string) => url.replace('postgres@', `${name}@`);
const config = (name = 'postgres') =>
  fixtureConfig({ sourceUrl: as(name, db.sourceUrl), mirrorUrl: as(name, db.mirrorUrl) });
const base = repairOptions({ batchSize: 50 });

const sfsyncSchema = async () =>
  (await db.mirror(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'sfsync'`)).rows[0]
    .n as number;

beforeAll(async () => {
  await adminQuery(inject('pgAdminUrl'), `CREATE ROLE ${role} LOGIN`);
});

afterAll(async () => {
  for (const url of [db.sourceUrl, db.mirrorUrl])
    await adminQuery(url, `DROP OWNED BY ${role}`).catch(() => undefined);
  await adminQuery(inject('pgAdminUrl'), `DROP ROLE IF EXISTS ${role}`);
});

beforeEach(async () => {
  await db.reset();
  await buildAuditScenario(db);
  // A read-only role: SELECT on everything it may read, nothing more.
  await db.source(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
  await db.mirror(
    `GRANT USAGE ON SCHEMA salesforce TO ${role};
      GRANT SELECT ON ALL TABLES IN SCHEMA salesforce TO ${role}`,
  );
});

describe('a SELECT-only role', () => {
  it('audits and plans a dry run exactly as the owner does', async () => {
    const owner = await runAudit(config(), { staleMs: 30 * 60_000 });
    const reader = await runAudit(config(role), { staleMs: 30 * 60_000 });
    expect(reader.totals).toEqual(owner.totals);
    const plan = await runRepair(config(role), { ...base, dryRun: true });
    expect(plan.actions.map((a) => `${a.entity}:${a.key}:${a.action}`)).toEqual(
      (await runRepair(config(), { ...base, dryRun: true })).actions.map(
        (a) => `${a.entity}:${a.key}:${a.action}`,
      ),
    );
  });

  it('audits without EXECUTE on get_xmlbinary(); doctor names the grant repair needs', async () => {
    await db.mirror(`REVOKE EXECUTE ON FUNCTION public.get_xmlbinary() FROM PUBLIC`);
    await expect(runAudit(config(role), { staleMs: 30 * 60_000 })).resolves.toMatchObject({
      totals: expect.any(Object),
    });
    const report = await runDoctor(config(role));
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        code: 'get_xmlbinary_denied',
        message: expect.stringContaining(
          `GRANT EXECUTE ON FUNCTION public.get_xmlbinary() TO ${role}`,
        ),
      }),
    );
    const before = await fingerprint(db);
    await expect(runRepair(config(role), base)).rejects.toThrow(
      `refusing to write: role "${role}" may not execute get_xmlbinary()`,
    );
    expect(await fingerprint(db)).toEqual(before);
  });

  it('is refused before any write, naming the missing GRANTs; running them is enough', async () => {
    const before = await fingerprint(db);
    const refused = await runRepair(config(role), base).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DatabaseError);
    const message = (refused as DatabaseError).message;
    expect(message.split('\n')[0]).toBe(
      `the mirror database role "${role}" lacks privileges this repair needs; ` +
        'nothing was written. As the database owner, run:',
    );
    expect(message).toContain(
      `GRANT INSERT, UPDATE, DELETE ON TABLE salesforce.contact_editor_affiliation__c TO ${role};`,
    );
    expect(message).toContain(`GRANT USAGE ON SEQUENCE salesforce.editor__c_id_seq TO ${role};`);
    expect(message).toContain(`GRANT INSERT ON TABLE salesforce._trigger_log TO ${role};`);
    expect(message).toMatch(
      new RegExp(`GRANT CREATE ON DATABASE sfsync_test_mirror_\\w+ TO ${role};`),
    );
    expect(await fingerprint(db)).toEqual(before);
    expect(await sfsyncSchema()).toBe(0);

    for (const statement of message.split('\n').slice(1)) await db.mirror(statement.trim());
    const repaired = await runRepair(config(role), base);
    expect(repaired.actions.filter((a) => a.status === 'failed')).toEqual([]);
    expect(repaired.actions.filter((a) => a.status === 'done').length).toBeGreaterThan(0);
  });

  it("needs grants on sfsync's own tables when another role created them", async () => {
    await runRepair(config(), { ...base, entities: ['school'], only: ['absent'] });
    await db.mirror(
      `GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA salesforce TO ${role};
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA salesforce TO ${role}`,
    );
    const message = await runRepair(config(role), base).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(
      message
        .split('\n')
        .slice(1)
        .map((line) => line.trim()),
    ).toEqual([
      `GRANT USAGE ON SCHEMA sfsync TO ${role};`,
      `GRANT SELECT ON TABLE sfsync.schema_version TO ${role};`,
      `GRANT SELECT, INSERT, UPDATE ON TABLE sfsync.runs TO ${role};`,
      `GRANT SELECT, INSERT, UPDATE ON TABLE sfsync.journal TO ${role};`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE sfsync.attempts TO ${role};`,
      `GRANT USAGE ON SEQUENCE sfsync.journal_id_seq TO ${role};`,
    ]);
    for (const statement of message.split('\n').slice(1)) await db.mirror(statement.trim());
    expect(
      (await runRepair(config(role), base)).actions.filter((a) => a.status === 'failed'),
    ).toEqual([]);
  });

  it('is told which grant `sfsync journal` needs', async () => {
    await runRepair(config(), { ...base, entities: ['school'], only: ['absent'] });
    const promise = readJournal(config(role).mirror, { limit: 5 });
    await expect(promise).rejects.toBeInstanceOf(DatabaseError);
    await expect(promise).rejects.toThrow(
      `GRANT SELECT ON TABLE sfsync.runs, sfsync.journal TO ${role};`,
    );
  });
});
