import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, FK_SCHOOL, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
const cli = (...args: string[]) =>
  runCli([...args, '--config', FIXTURE_CONFIG], { env: fixtureEnv(db) });
const json = async (...args: string[]) => {
  const result = await cli(...args, '--format', 'json');
  return { code: result.code, stderr: result.stderr, doc: JSON.parse(result.stdout) };
};

describe('history: --record, sfsync history, --fail-on-increase', () => {
  it('empty: says how to start; --fail-on-increase makes the first run the baseline', async () => {
    await buildAuditScenario(db);
    expect((await cli('history')).stdout).toBe(
      'no recorded audits yet: run `sfsync audit --record` (nightly, say) to start the history\n',
    );
    const first = await json('audit', '--record', '--fail-on-increase');
    expect(first.code).toBe(0);
    expect(first.doc.increases).toEqual([]);
    expect(first.stderr).toContain(
      'no earlier recorded run to compare with; this run is the baseline',
    );
  });

  it('exits 0 on an unchanged backlog and 1 when a class grew, naming it', async () => {
    const same = await json('audit', '--record', '--fail-on-increase');
    expect(same.code).toBe(0);
    expect(same.doc.totals.mismatches).toBe(15);

    // A mirror row the app wrote without a source row, which Connect then rejected: school `orphan`
    // goes 1 → 2.
    await db.mirror(
      `insert into salesforce.editor__c (editoruuid__c, name) values ($1, 'Late School')`,
      [u(51)],
    );
    await db.asConnect(
      `update salesforce.editor__c set _hc_lastop = 'FAILED', _hc_err = $2
        where editoruuid__c = $1`,
      [u(51), FK_SCHOOL(u(51))],
    );
    // The table says what grew too (this run is not recorded, so the next one still compares with
    // the same baseline).
    const table = await cli('audit', '--fail-on-increase', '--details', '0');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(
      new RegExp(
        String.raw`grew since the previous recorded run:\n┌.*\n` +
          String.raw`│ Entity +│ Class +│ Before +│ Now +│\n├.*\n│ school +│ orphan +│ 1 +│ 2 +│`,
      ),
    );

    const grown = await json('audit', '--record', '--fail-on-increase');
    expect(grown.code).toBe(1);
    expect(grown.doc.increases).toEqual([
      { entity: 'school', class: 'orphan', before: 1, after: 2 },
    ]);

    // Only the --fail-on classes count.
    const other = await json('audit', '--fail-on-increase', '--fail-on', 'failed');
    expect(other.code).toBe(0);
  });

  it('lists three recorded runs per entity, oldest first, with trend and change', async () => {
    const { doc } = await json('history');
    const school = doc.entities.find((e: { name: string }) => e.name === 'school');
    expect(school.runs.map((r: { mismatches: number }) => r.mismatches)).toEqual([5, 5, 6]);
    expect(school.runs[2]).toMatchObject({
      counts: { orphan: 2, failed: 1 },
      sourceRows: 7,
      mirrorRows: 8,
    });
    expect(doc.entities.map((e: { name: string }) => e.name)).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    expect(doc.entities.every((e: { runs: unknown[] }) => e.runs.length === 3)).toBe(true);

    const table = (await cli('history', '--entity', 'school', '--entity', 'role')).stdout;
    expect(table).toMatch(
      /│ school +│ 3 +│ ▇▇█ +│ 5 → 5 → 6 +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC +│ \+1 orphan +│/,
    );
    expect(table).toMatch(/│ role +│ 3 +│ ███ +│ 7 → 7 → 7 +│ .+│ no change +│/);
    expect(table).not.toContain('lesson');
    expect((await cli('history', '--limit', '2', '--format', 'json')).stdout).toContain(
      '"mismatches": 6',
    );
    expect(
      JSON.parse((await cli('history', '--limit', '2', '--format', 'json')).stdout).entities[0]
        .runs,
    ).toHaveLength(2);
  });

  it('refuses an entity the config does not have', async () => {
    const { code, stderr } = await cli('history', '--entity', 'nope');
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown entity nope/);
  });
});

describe('history: rows that cannot be trusted are ignored, with one warning', () => {
  // One more row for an entity, copied from its newest row with these changes (SQL over `h`),
  // recorded now unless said.
  const forge = (entity: string, counts: string, recordedAt = 'now()') =>
    db.mirror(
      `insert into sfsync.history (run_id, entity, recorded_at, started_at, duration_ms,
                                   source_rows, mirror_rows, unsynced_rows, counts)
       select gen_random_uuid(), h.entity, ${recordedAt}, h.started_at, h.duration_ms,
              h.source_rows, h.mirror_rows, h.unsynced_rows, ${counts}
         from sfsync.history h where h.entity = $1 order by h.recorded_at desc limit 1
       returning run_id::text`,
      [entity],
    );
  const WARNING = new RegExp(
    String.raw`^sfsync: warning: ignored (\d+) rows? of sfsync\.history that cannot be trusted ` +
      String.raw`\(first: run ([0-9a-f-]+), entity (\w+): (.*)\); delete or correct (it|them)$`,
    'm',
  );
  const forged: string[] = [];

  it('records a baseline, then a row a day ahead (else every later run’s previous)', async () => {
    await db.reset();
    await buildAuditScenario(db);
    expect((await json('audit', '--record')).code).toBe(1);
    // Every count of school ×1000: chosen as the previous run, it would hide any growth.
    const { rows } = await forge(
      'school',
      `(select jsonb_object_agg(key, value::int * 1000) from jsonb_each(h.counts))`,
      `now() + interval '1 day'`,
    );
    forged.push(rows[0].run_id);
    const same = await json('audit', '--record', '--fail-on-increase');
    expect(same.code).toBe(0);
    expect(same.stderr).toMatch(WARNING);
    expect(same.stderr.match(WARNING)!.slice(1, 4)).toEqual(['1', rows[0].run_id, 'school']);
    expect(same.stderr).toMatch(
      /recorded_at \d{4}-.* UTC is in the future \(the database's clock says .*\)/,
    );
  });

  // A role class with a count above 0 in the scenario: a bad row must not make its count look like
  // growth.
  it.each([
    ['a string', `'"oops"'::jsonb`, /counts: Invalid input: expected object, received string/],
    ['an array', `'[1, 2]'::jsonb`, /counts: Invalid input: expected object, received array/],
    ['JSON null', `'null'::jsonb`, /counts: Invalid input: expected object, received null/],
    [
      'a negative count',
      `jsonb_set(h.counts, '{failed}', '-1')`,
      /counts\.failed: Too small: expected number to be >=0/,
    ],
    [
      'a fractional count',
      `jsonb_set(h.counts, '{failed}', '1.5')`,
      /counts\.failed: Invalid input: expected int, received number/,
    ],
    [
      'a count as text',
      `jsonb_set(h.counts, '{failed}', '"2"')`,
      /counts\.failed: Invalid input: expected number, received string/,
    ],
    [
      'a class left out',
      `h.counts - 'failed'`,
      /counts\.failed: Invalid input: expected number, received undefined/,
    ],
  ])(
    'ignores a row whose counts are %s: nothing grew, exit 0, one warning naming it',
    async (_kind, counts, reason) => {
      const { rows } = await forge('role', counts);
      forged.push(rows[0].run_id);
      const run = await json('audit', '--record', '--fail-on-increase');
      expect(run.doc.increases).toEqual([]);
      expect(run.code).toBe(0);
      // The forged role row and the future-dated school row: one line, the first row read named.
      expect(run.stderr.match(new RegExp(WARNING.source, 'gm'))).toHaveLength(1);
      expect(run.stderr.match(WARNING)!.slice(1, 4)).toEqual(['2', rows[0].run_id, 'role']);
      expect(run.stderr).toMatch(reason);
    },
  );

  it('still exits 1 on real growth past the future-dated row, 0 once nothing grows', async () => {
    // A mirror row the app wrote without a source row, which Connect then rejected: school `orphan`
    // goes 1 → 2.
    await db.mirror(
      `insert into salesforce.editor__c (editoruuid__c, name) values ($1, 'Late School')`,
      [u(51)],
    );
    await db.asConnect(
      `update salesforce.editor__c set _hc_lastop = 'FAILED', _hc_err = $2
        where editoruuid__c = $1`,
      [u(51), FK_SCHOOL(u(51))],
    );
    const grown = await json('audit', '--record', '--fail-on-increase');
    expect(grown.doc.increases).toEqual([
      { entity: 'school', class: 'orphan', before: 1, after: 2 },
    ]);
    expect(grown.code).toBe(1);
    expect(grown.stderr).toMatch(WARNING);
    expect((await json('audit', '--record', '--fail-on-increase')).code).toBe(0);
  });

  it('`history` shows only valid rows (JSON, table), infinity-dated too, and warns', async () => {
    await forge('lesson', 'h.counts', `'infinity'`);
    const { code, doc, stderr } = await json('history', '--limit', '20');
    expect(code).toBe(0);
    const runs = doc.entities.flatMap(
      (e: { runs: { runId: string; recordedAt: string }[] }) => e.runs,
    );
    expect(runs.filter((r: { runId: string }) => forged.includes(r.runId))).toEqual([]);
    expect(
      runs.every(
        (r: { recordedAt: string }) => Date.parse(r.recordedAt) <= Date.now() + 5 * 60_000,
      ),
    ).toBe(true);
    // 11 recorded audits: the baseline, one per bad row (7), the two above, and the one before
    // them.
    const school = doc.entities.find((e: { name: string }) => e.name === 'school');
    expect(school.runs.map((r: { counts: { orphan: number } }) => r.counts.orphan)).toEqual([
      1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2,
    ]);
    expect(stderr.match(WARNING)![1]).toBe(String(forged.length + 1));
    const table = await cli('history');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ school +│ 10 +│/);
    expect(table.stderr).toMatch(WARNING);
  });

  it('keeps them out of the HTML trend; a run reading the history twice warns once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfsync-history-'));
    try {
      const html = join(dir, 'report.html');
      const run = await cli('audit', '--fail-on-increase', '--html', html);
      expect(run.code).toBe(0);
      expect(run.stderr.match(new RegExp(WARNING.source, 'gm'))).toHaveLength(1);
      expect(run.stderr.match(WARNING)![1]).toBe(String(forged.length + 1));
      const { rows } = await db.mirror(
        `select to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as label
           from sfsync.history where run_id = $1`,
        [forged[0]],
      );
      const page = await readFile(html, 'utf8');
      expect(page).toContain('id="trend"');
      expect(page).not.toContain(rows[0].label);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
