import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli, startCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * Production scale, kept cheap: one entity with 200,000 actions in a level,
 * the size at which repair and backfill used to crash (a spread of the level's
 * results into push() overflowed V8's stack at ~130k).
 */
const ROWS = 200_000;
const db = useFixtureDatabases();
const dir = mkdtempSync(join(tmpdir(), 'sfsync-scale-'));
const configFile = join(dir, 'sfsync.config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    source: { url: 'env:DATABASE_URL' },
    mirror: { url: 'env:SALESFORCE_CONNECT_DB' },
    entities: [
      {
        name: 'school',
        source: { table: 'schools', key: 'id' },
        mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
        fields: { name: 'name', country__c: { sql: 'upper(src.country_code)' } },
      },
      {
        name: 'school_class',
        source: { table: 'school_classes', key: 'id' },
        mirror: { table: 'classroom__c', externalId: 'classroomuuid__c' },
        fields: { classroomtitle__c: 'name' },
        parents: [{ entity: 'school', column: 'school_id', lookup: 'editor__r__editoruuid__c' }],
      },
    ],
  }),
);
const cli = (args: string[]) =>
  runCli([...args, '--quiet', '--config', configFile], { env: fixtureEnv(db), timeoutMs: 240_000 });
const count = async (table: string) =>
  (await db.mirror(`SELECT count(*)::int AS n FROM salesforce.${table}`)).rows[0].n as number;

/** Runs the CLI on a 64 MB JavaScript heap, its stdout to `output` as a job's redirect would. */
async function onSmallHeap(args: string[], output: string) {
  const file = openSync(output, 'w');
  try {
    const run = startCli([...args, '--quiet', '--config', configFile], {
      env: fixtureEnv(db, { NODE_OPTIONS: '--max-old-space-size=64' }),
      stdio: ['ignore', file, 'pipe'],
    });
    return await run.exited;
  } finally {
    closeSync(file);
  }
}

beforeEach(async () => {
  await db.reset();
});

describe(`${ROWS.toLocaleString('en')} actions in one entity`, () => {
  it('backfill writes a new object that size on a 64 MB heap; its JSON lists every action', {
    timeout: 240_000,
  }, async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code)
        SELECT md5('s' || i)::uuid, 'School ' || i, 'gb' FROM generate_series(1, ${ROWS}) AS i`,
    );
    // The JSON (some 70 MB) goes to a file, as a job's redirect would: the test reads it back
    // afterwards.
    const output = join(dir, 'backfill.json');
    const result = await onSmallHeap(
      ['backfill', '--yes', '--batch-size', '2000', '--format', 'json'],
      output,
    );
    // Before, the run held every action: it needed some 450 MB and died of a full heap (or, past
    // ~130k, a full stack).
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(output, 'utf8'));
    expect(report.summary).toEqual({ school: { insert: { done: ROWS } }, school_class: {} });
    expect(report.actions).toHaveLength(ROWS);
    expect(new Set(report.actions.map((a: { key: string }) => a.key)).size).toBe(ROWS);
    expect(await count('editor__c')).toBe(ROWS);
    const { rows } = await db.mirror(
      `SELECT status,
              (SELECT count(*)::int FROM sfsync.journal j WHERE j.run_id = r.run_id) AS changes
         FROM sfsync.runs r`,
    );
    expect(rows).toEqual([{ status: 'done', changes: ROWS }]);
  });

  it('audit lists that many mismatches on a 64 MB heap, as ndjson, JSON and CSV at once', {
    timeout: 240_000,
  }, async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code)
        SELECT md5('a' || i)::uuid, 'School ' || i, 'gb' FROM generate_series(1, ${ROWS}) AS i`,
    );
    // Every row absent: 200,000 mismatches, some 80 MB of JSON. Held in memory, as they were, the
    // list and its text overflow the heap; spilled, they are read back a batch at a time.
    const [ndjson, json, csv] = ['audit.ndjson', 'audit.json', 'audit.csv'].map((f) =>
      join(dir, f),
    );
    const result = await onSmallHeap(
      ['audit', '--format', 'ndjson', '--output', `json=${json}`, '--output', `csv=${csv}`],
      ndjson!,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const lines = readFileSync(ndjson!, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    const keys = lines.slice(0, ROWS).map((line) => JSON.parse(line).key as string);
    expect(new Set(keys).size).toBe(ROWS);
    expect(keys).toEqual([...keys].sort());
    expect(JSON.parse(lines[ROWS]!)).toMatchObject({ type: 'summary', totals: { absent: ROWS } });
    const report = JSON.parse(readFileSync(json!, 'utf8'));
    expect(report.totals.mismatches).toBe(ROWS);
    expect(report.entities[0].mismatches.map((m: { key: string }) => m.key)).toEqual(keys);
    const rows = readFileSync(csv!, 'utf8').trimEnd().split('\r\n');
    expect(rows).toHaveLength(ROWS + 1);
    expect(rows.at(-1)).toMatch(new RegExp(`^school,${keys.at(-1)},absent,`));
  });

  it('repair gets past that many orphans to the child level', { timeout: 240_000 }, async () => {
    // Mirror rows the source does not have (Connect wrote them: not captured): each is an orphan,
    // skipped.
    await db.asConnect(
      `INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, _hc_lastop)
       SELECT md5('o' || i)::uuid::text, 'a00' || lpad(i::text, 12, '0') || 'AAA', 'Orphan ' || i,
              'SYNCED'
         FROM generate_series(1, ${ROWS}) AS i`,
    );
    await db.source(
      `INSERT INTO schools (id, name, country_code)
        VALUES ('00000000-0000-4000-8000-000000000001', 'Parent', 'gb')`,
    );
    await db.asConnect(
      `INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, country__c, _hc_lastop)
        VALUES ('00000000-0000-4000-8000-000000000001', 'a01000000000001AAA', 'Parent', 'GB',
                'SYNCED')`,
    );
    await db.source(
      `INSERT INTO school_classes (id, school_id, name)
        VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',
                'Child')`,
    );
    const result = await cli(['repair', '--yes']);
    expect(result.stderr).toBe('');
    // The orphans are skipped (deleting mirror rows is not sfsync's call); a skip is not an open
    // action.
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^1 done, 0 failed, 200000 skipped; journal: sfsync journal [0-9a-f-]{36}$/m,
    );
    expect(await count('classroom__c')).toBe(1);
  });

  it('a write cap writes its share of that many and defers the rest, counted', {
    timeout: 240_000,
  }, async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code)
        SELECT md5('c' || i)::uuid, 'School ' || i, 'gb' FROM generate_series(1, ${ROWS}) AS i`,
    );
    const result = await cli(['repair', '--yes', '--max-writes', '1000', '--batch-size', '2000']);
    expect(result.stderr).toBe('');
    // Writes left for the next run are open actions, as rows waiting for a parent are.
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^1000 done, 0 failed, 199000 left for the next run by the write cap, 0 skipped; journal: /m,
    );
    expect(await count('editor__c')).toBe(1000);
    const journaled = await db.mirror('SELECT count(*)::int AS n FROM sfsync.journal');
    expect(journaled.rows[0].n).toBe(1000);
  });
});
