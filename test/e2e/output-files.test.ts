import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { startHttpSink } from '../support/http-sink.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
let dir: string;

beforeAll(async () => {
  await buildAuditScenario(db);
  dir = await mkdtemp(join(tmpdir(), 'sfsync-outputs-'));
});

describe('--output FORMAT=FILE', () => {
  it('one audit prints a table and writes CSV for people and JSON for programs', async () => {
    const [csv, json] = [join(dir, 'mismatches.csv'), join(dir, 'audit.json')];
    const run = await runCli(
      ['audit', '--config', FIXTURE_CONFIG, '--output', `csv=${csv}`, '--output', `json=${json}`],
      { env: fixtureEnv(db) },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/15 mismatches in 6 entities/);
    const document = JSON.parse(await readFile(json, 'utf8'));
    expect(document.command).toBe('audit');
    const total = document.entities.reduce(
      (sum: number, e: { mismatches: unknown[] }) => sum + e.mismatches.length,
      0,
    );
    expect(total).toBe(15);
    const rows = parseCsv(await readFile(csv, 'utf8'), { columns: true });
    expect(rows).toHaveLength(15);
    // Written by rename: no temporary file left beside them.
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a repair plan in JSON lists every action even when the table shows a few', async () => {
    const json = join(dir, 'plan.json');
    const run = await runCli(
      [
        'repair',
        '--config',
        FIXTURE_CONFIG,
        '--dry-run',
        '--details',
        '1',
        '--output',
        `json=${json}`,
      ],
      { env: fixtureEnv(db) },
    );
    expect(run.code).toBe(0);
    const plan = JSON.parse(await readFile(json, 'utf8'));
    expect(plan.command).toBe('repair');
    expect(plan.actions.length).toBeGreaterThan(2);
    expect(run.stdout).not.toContain('"actions"');
  });

  it('a file that cannot be written exits 74 after the others are written', async () => {
    const json = join(dir, 'still-written.json');
    const run = await runCli(
      [
        'audit',
        '--config',
        FIXTURE_CONFIG,
        '--output',
        `csv=${join(dir, 'no-such-dir', 'a.csv')}`,
        '--output',
        `json=${json}`,
      ],
      { env: fixtureEnv(db) },
    );
    expect(run.code).toBe(74);
    expect(run.stderr).toMatch(/cannot write the csv output .*no-such-dir.*ENOENT/);
    expect(JSON.parse(await readFile(json, 'utf8')).command).toBe('audit');
  });

  it('a bad value is a usage error before anything connects', async () => {
    const run = await runCli(['audit', '--output', 'html=report.html'], { env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--output.*unknown format "html"; choose from table, json/);
  });
});

describe('environment variables for the common options', () => {
  it('SFSYNC_CONFIG names the config; SFSYNC_PUSHGATEWAY a secret URL, off argv', async () => {
    const sink = await startHttpSink();
    try {
      const run = await runCli(['audit', '--format', 'json'], {
        env: fixtureEnv(db, { SFSYNC_CONFIG: FIXTURE_CONFIG, SFSYNC_PUSHGATEWAY: sink.url }),
        cwd: dir,
      });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).command).toBe('audit');
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]!.body).toMatch(/^sfsync_mismatches\{/m);
      // The flag still wins over the variable.
      await writeFile(join(dir, 'broken.json'), '{');
      const flag = await runCli(['audit', '--config', join(dir, 'broken.json')], {
        env: fixtureEnv(db, { SFSYNC_CONFIG: FIXTURE_CONFIG }),
        cwd: dir,
      });
      expect(flag.code).toBe(2);
      expect(flag.stderr).toMatch(/broken\.json/);
    } finally {
      await sink.close();
    }
  });
});
