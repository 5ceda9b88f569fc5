import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditProgress } from '../../src/ops/audit/audit.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';

const db = useFixtureDatabases();

beforeAll(async () => {
  await buildAuditScenario(db);
  await db.source('ANALYZE schools');
});

async function events(method: 'stream' | 'checksum'): Promise<AuditProgress[]> {
  const seen: AuditProgress[] = [];
  await runAudit(fixtureConfig(db), {
    staleMs: 30 * 60_000,
    method,
    entities: ['school'],
    keysPerRead: 2,
    onProgress: (event) => seen.push(event),
  });
  return seen;
}

describe('audit progress', () => {
  it('counts the keys compared against the planner estimate, then the suspects read', async () => {
    const seen = await events('stream');
    const rows = Number((await db.source('SELECT count(*) AS n FROM schools')).rows[0].n);
    const summary = seen.filter((e) => e.phase === 'summary');
    // After ANALYZE the estimate is the table's row count.
    expect(summary.map((e) => e.total)).toEqual(summary.map(() => rows));
    expect(summary[0]!.rows).toBe(0);
    // The entity's filter keeps fewer than the table holds: the count ends at the rows in scope.
    const done = seen.at(-1)!;
    expect(summary.at(-1)!.rows).toBe(done.rows);
    expect(done.rows).toBeLessThan(rows);
    const details = seen.filter((e) => e.phase === 'details');
    // Read two keys at a time: every read is counted, up to the number of suspects.
    expect(details.length).toBeGreaterThan(1);
    expect(details.map((e) => e.rows)).toEqual(
      [...details.keys()].map((i) => Math.min(2 * (i + 1), details[0]!.total!)),
    );
    expect(seen.at(-1)).toMatchObject({ entity: 'school', phase: 'done', done: true });
  });

  it('the checksum method counts only the rows it streams, never past the estimate', async () => {
    const seen = await events('checksum');
    const summary = seen.filter((e) => e.phase === 'summary');
    expect(summary[0]!.rows).toBe(0);
    for (const event of summary) expect(event.rows).toBeLessThanOrEqual(event.total!);
    expect(seen.at(-1)).toMatchObject({ phase: 'done', done: true });
  });
});

describe('the source table size', () => {
  it('is read once per entity when both progress and auto ask for it', async () => {
    let reads = 0;
    await runAudit(fixtureConfig(db), {
      staleMs: 30 * 60_000,
      method: 'auto',
      entities: ['school'],
      onProgress: () => undefined,
      onQuery: (event) => {
        if (event.database === 'source' && event.sql.includes('c.reltuples')) reads++;
      },
    });
    expect(reads).toBe(1);
  });
});
