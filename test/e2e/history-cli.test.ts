import { describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, FK_SCHOOL, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
const cli = (...args: string[]) => runCli([...args, '--config', FIXTURE_CONFIG], { env: fixtureEnv(db) });
const json = async (...args: string[]) => {
  const result = await cli(...args, '--format', 'json');
  return { code: result.code, stderr: result.stderr, doc: JSON.parse(result.stdout) };
};

describe('history: --record, sfsync history, --fail-on-increase', () => {
  it('says how to start when nothing was recorded, and --fail-on-increase makes the first run the baseline', async () => {
    await buildAuditScenario(db);
    expect((await cli('history')).stdout).toBe('no recorded audits yet: run `sfsync audit --record` (nightly, say) to start the history\n');
    const first = await json('audit', '--record', '--fail-on-increase');
    expect(first.code).toBe(0);
    expect(first.doc.increases).toEqual([]);
    expect(first.stderr).toContain('no earlier recorded run to compare with; this run is the baseline');
  });

  it('exits 0 on an unchanged backlog and 1 when a class grew, naming it', async () => {
    const same = await json('audit', '--record', '--fail-on-increase');
    expect(same.code).toBe(0);
    expect(same.doc.totals.mismatches).toBe(15);

    // A mirror row the app wrote without a source row, which Connect then rejected: school `orphan` goes 1 → 2.
    await db.mirror(`insert into salesforce.editor__c (editoruuid__c, name) values ($1, 'Late School')`, [u(51)]);
    await db.asConnect(`update salesforce.editor__c set _hc_lastop = 'FAILED', _hc_err = $2 where editoruuid__c = $1`, [u(51), FK_SCHOOL(u(51))]);
    // The table says what grew too (this run is not recorded, so the next one still compares with the same baseline).
    const table = await cli('audit', '--fail-on-increase', '--details', '0');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/grew since the previous recorded run:\n┌.*\n│ Entity +│ Class +│ Before +│ Now +│\n├.*\n│ school +│ orphan +│ 1 +│ 2 +│/);

    const grown = await json('audit', '--record', '--fail-on-increase');
    expect(grown.code).toBe(1);
    expect(grown.doc.increases).toEqual([{ entity: 'school', class: 'orphan', before: 1, after: 2 }]);

    // Only the --fail-on classes count.
    const other = await json('audit', '--fail-on-increase', '--fail-on', 'failed');
    expect(other.code).toBe(0);
  });

  it('lists three recorded runs per entity, oldest first, with the trend and the change', async () => {
    const { doc } = await json('history');
    const school = doc.entities.find((e: { name: string }) => e.name === 'school');
    expect(school.runs.map((r: { mismatches: number }) => r.mismatches)).toEqual([5, 5, 6]);
    expect(school.runs[2]).toMatchObject({ counts: { orphan: 2, failed: 1 }, sourceRows: 7, mirrorRows: 8 });
    expect(doc.entities.map((e: { name: string }) => e.name)).toEqual(['school', 'contact', 'role', 'school_class', 'class_teacher', 'lesson']);
    expect(doc.entities.every((e: { runs: unknown[] }) => e.runs.length === 3)).toBe(true);

    const table = (await cli('history', '--entity', 'school', '--entity', 'role')).stdout;
    expect(table).toMatch(/│ school +│ 3 +│ ▇▇█ +│ 5 → 5 → 6 +│ \d{4}-\d\d-\d\d \d\d:\d\d +│ \+1 orphan +│/);
    expect(table).toMatch(/│ role +│ 3 +│ ███ +│ 7 → 7 → 7 +│ .+│ no change +│/);
    expect(table).not.toContain('lesson');
    expect((await cli('history', '--limit', '2', '--format', 'json')).stdout).toContain('"mismatches": 6');
    expect(JSON.parse((await cli('history', '--limit', '2', '--format', 'json')).stdout).entities[0].runs).toHaveLength(2);
  });

  it('refuses an entity the config does not have', async () => {
    const { code, stderr } = await cli('history', '--entity', 'nope');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown entity nope/);
  });
});
