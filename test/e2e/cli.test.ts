import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { useFixtureDatabases } from '../support/databases.js';
import { FIXTURE_CONFIG, ROOT } from '../support/paths.js';

const db = useFixtureDatabases();
const dbEnv = () => ({ DATABASE_URL: db.sourceUrl, SALESFORCE_CONNECT_DB: db.mirrorUrl });
const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe('sfsync as a program', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each([
    [[]],
    [['doctor']],
    [['audit']],
    [['repair']],
    [['backfill']],
    [['journal']],
    [['sim']],
    [['demo']],
  ])('has --help for %j', async (command) => {
    const result = await runCli([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: sfsync/);
    if (command.length && command[0] !== 'demo') expect(result.stdout).toContain('--config <path>');
  });

  it('exits 2 on an unknown option or command', async () => {
    expect((await runCli(['doctor', '--frobnicate'])).code).toBe(2);
    const unknown = await runCli(['audti']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'audti'");
  });
});

describe('a failure asked for JSON: a document on stdout, not empty input', () => {
  it('a config error: its message on stderr, the same as a JSON document', async () => {
    const result = await runCli(['audit', '--config', 'missing.json', '--format', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sfsync: invalid configuration in .*missing\.json/);
    const line = result.stderr.replace(/^sfsync: /, '').replace(/\n$/, '');
    expect(JSON.parse(result.stdout)).toEqual({
      tool: 'sfsync',
      command: 'audit',
      formatVersion: 1,
      error: { exitCode: 2, kind: 'config', message: line },
    });
  });

  it('a database that is down, in ndjson: an error line', async () => {
    const down = 'postgres://sfsync:pw@127.0.0.1:1/app?connect_timeout=2';
    const result = await runCli(['audit', '--config', FIXTURE_CONFIG, '--format=ndjson'], {
      env: { DATABASE_URL: down, SALESFORCE_CONNECT_DB: down },
    });
    expect(result.code).toBe(3);
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'error', command: 'audit', error: { exitCode: 3 } });
    expect(last.error.kind).toBe('database');
    expect(result.stdout).not.toContain(':pw@');
  });

  it('a usage error, its secret still hidden; --help prints help, no document', async () => {
    const typo = await runCli([
      'audit',
      '--format',
      'json',
      '--notfy=https://hooks.slack.com/services/T0/B0/Typ0S3cret',
    ]);
    expect(typo.code).toBe(2);
    const { error } = JSON.parse(typo.stdout);
    expect(error).toMatchObject({ exitCode: 2, kind: 'usage' });
    expect(error.message).toContain("unknown option '--notfy=https://hooks.slack.com/***'");
    expect(typo.stdout).not.toContain('Typ0S3cret');
    const help = await runCli(['audit', '--help', '--format', 'json']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sfsync audit/);
  });
});

describe('sfsync backfill --order', () => {
  it('prints the canonical order as a table, with levels and parents', async () => {
    const result = await runCli(['backfill', '--order', '--config', FIXTURE_CONFIG]);
    expect(result.code).toBe(0);
    const entities = [...result.stdout.matchAll(/^│ (\d) +│ (\d) +│ (\w+)/gm)].map(
      (m) => `${m[1]}:${m[2]}:${m[3]}`,
    );
    expect(entities).toEqual([
      '1:0:school',
      '2:0:contact',
      '3:1:role',
      '4:1:school_class',
      '5:2:class_teacher',
      '6:2:lesson',
    ]);
    expect(result.stdout).toContain('school (editor__r__editoruuid__c)');
    expect(result.stderr).toBe('');
  });

  it('prints {order, levels} as JSON and needs no database', async () => {
    const result = await runCli(
      ['backfill', '--order', '--format', 'json', '--config', FIXTURE_CONFIG],
      { env: {} },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      tool: 'sfsync',
      command: 'backfill',
      formatVersion: 1,
      order: ['school', 'contact', 'role', 'school_class', 'class_teacher', 'lesson'],
      levels: [
        ['school', 'contact'],
        ['role', 'school_class'],
        ['class_teacher', 'lesson'],
      ],
      deferred: [],
    });
  });

  it('finds sfsync.config.json in the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfsync-e2e-'));
    writeFileSync(join(dir, 'sfsync.config.json'), readFileSync(FIXTURE_CONFIG, 'utf8'));
    const result = await runCli(['backfill', '--order', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(result.stdout).order[0]).toBe('school');
  });

  it('exits 2 with every config problem listed and no stack trace', async () => {
    const raw = fixtureConfigObject();
    raw.entities[0].parents = [{ entity: 'lesson', column: 'x', lookup: 'x__r__y' }];
    raw.entities[1].fields = { email: 'email' };
    const dir = mkdtempSync(join(tmpdir(), 'sfsync-e2e-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(raw));
    const result = await runCli(['backfill', '--order', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `sfsync: invalid configuration in ${file} (1 problem):\n` +
        '  - entities[1].fields: a readOnly entity is filled by Heroku Connect from upstream ' +
        'and never written by sfsync; remove "fields"\n',
    );
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('orders a cycle by deferring one lookup to a second phase, and says so', async () => {
    const raw = fixtureConfigObject();
    raw.entities[0].parents = [
      {
        entity: 'lesson',
        column: 'featured_lesson_id',
        lookup: 'featured_lesson__r__lesson_uuid__c',
        optional: true,
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'sfsync-e2e-'));
    const file = join(dir, 'cycle.json');
    writeFileSync(file, JSON.stringify(raw));
    // Wide enough that no cell wraps: the text is asserted whole.
    const table = await runCli(['backfill', '--order', '--config', file], {
      env: { COLUMNS: '200' },
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(
      'lesson (featured_lesson__r__lesson_uuid__c, optional, phase 2)',
    );
    expect(table.stdout).toContain(
      'phase 2, once those rows have an sfid: school.featured_lesson__r__lesson_uuid__c → lesson',
    );
    const json = JSON.parse(
      (await runCli(['backfill', '--order', '--format', 'json', '--config', file])).stdout,
    );
    expect(json.order).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    expect(json.deferred).toEqual([
      { entity: 'school', lookup: 'featured_lesson__r__lesson_uuid__c', parent: 'lesson' },
    ]);
    const markdown = (
      await runCli(['backfill', '--order', '--format', 'markdown', '--config', file])
    ).stdout;
    expect(markdown).toContain('  e5 -.->|phase 2| e0');
  });

  it('writes only with --yes when nobody can be asked', async () => {
    const result = await runCli(['backfill', '--config', FIXTURE_CONFIG]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to write without --yes when stdin is not a terminal');
  });
});

describe('sfsync doctor', () => {
  it('reports the loaded fixture databases healthy and exits 0', async () => {
    const result = await runCli(['doctor', '--config', FIXTURE_CONFIG], { env: dbEnv() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /healthy: sfsync can work with these databases \(0 warnings\)\n$/,
    );
    expect(result.stdout).toContain("get_xmlbinary() is 'base64'");
  });

  it('prints a JSON report', async () => {
    const result = await runCli(['doctor', '--config', FIXTURE_CONFIG, '--format', 'json'], {
      env: dbEnv(),
    });
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ tool: 'sfsync', command: 'doctor', formatVersion: 1, ok: true });
    expect(report.databases.mirror).toMatchObject({
      role: 'mirror',
      reachable: true,
      schema: 'salesforce',
    });
    expect(report.findings[0]).toEqual({
      level: expect.any(String),
      code: expect.any(String),
      database: expect.stringMatching(/^(source|mirror)$/),
      entity: expect.anything(),
      message: expect.any(String),
    });
  });

  it('exits 3 for an unreachable database and never prints its password', async () => {
    const result = await runCli(
      [
        'doctor',
        '--config',
        FIXTURE_CONFIG,
        '--mirror-url',
        'postgres://admin:hunter2secret@127.0.0.1:1/connectdb',
      ],
      {
        env: dbEnv(),
      },
    );
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'cannot connect to the mirror database (127.0.0.1:1/connectdb)',
    );
    expect(result.stdout + result.stderr).not.toContain('hunter2secret');
    expect(result.stdout + result.stderr).not.toContain('admin:');
  });

  it('exits 2 when an env: URL is not set', async () => {
    const result = await runCli(['doctor', '--config', FIXTURE_CONFIG], {
      env: { DATABASE_URL: db.sourceUrl },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'mirror.url: environment variable SALESFORCE_CONNECT_DB is not set',
    );
  });
});
