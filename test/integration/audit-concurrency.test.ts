import { beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditOptions } from '../../src/ops/audit/audit.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';

const db = useFixtureDatabases();
const audit = (options: Partial<AuditOptions> = {}) =>
  runAudit(fixtureConfig(db), { staleMs: 30 * 60_000, ...options });

/** What an audit found, without when or how fast (ages grow between runs). */
const findings = (result: Awaited<ReturnType<typeof audit>>) =>
  JSON.parse(
    JSON.stringify(result.entities, (key, value) =>
      key === 'ageSeconds' || key === 'oldestUnsyncedAgeSeconds' ? typeof value : value,
    ),
  );

beforeAll(() => buildAuditScenario(db));

describe('audit --concurrency', () => {
  it("audits on N sessions at once: exactly one session's report, in canonical order", async () => {
    const one = await audit();
    const pids = new Set<number>();
    const streamed: string[] = [];
    const three = await audit({
      concurrency: 3,
      onQuery: (e) => void pids.add(e.pid),
      onEntity: (e) => streamed.push(e.name),
    });
    expect(findings(three)).toEqual(findings(one));
    expect(three.order).toEqual(one.order);
    expect(streamed).toEqual([...one.order]);
    // Three sessions on each database.
    expect(pids.size).toBe(6);
  });

  it('all sessions read one snapshot: a write during the audit is in none of them', async () => {
    const before = await audit();
    let wrote = false;
    const during = await audit({
      concurrency: 2,
      onQuery: async (e) => {
        // Once every session's transaction has begun, before any of them has read an entity: a
        // session that took a snapshot of its own now (instead of importing the first one's) would
        // see this write.
        if (wrote || e.database !== 'mirror' || !/select now\(\) as now/.test(e.sql)) return;
        wrote = true;
        await db.source(
          `INSERT INTO schools (id, name, country_code)
            VALUES ($1, 'Written During The Audit', 'gb')`,
          [u(90)],
        );
        await db.asConnect(
          `DELETE FROM salesforce.contact_editor_affiliation__c WHERE affiliation_id__c = '7'`,
        );
      },
    });
    expect(wrote).toBe(true);
    expect(findings(during)).toEqual(findings(before));
    const after = await audit();
    expect(findings(after)).not.toEqual(findings(before));
  });
});
