import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { FIXTURE_DIR } from '../support/paths.js';

const db = useFixtureDatabases();
let dir: string;
const MAPS = [
  '--map',
  'editor__c=schools',
  '--map',
  'contact_editor_affiliation__c=roles',
  '--map',
  'classroom__c=school_classes',
  '--map',
  'contact_classroom_affiliation__c=class_teachers',
];
const sfsync = (args: string[], env: NodeJS.ProcessEnv = fixtureEnv(db)) =>
  runCli(args, { env, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfsync-init-'));
});

describe('sfsync init', () => {
  it('says what to set when it has no database to read', async () => {
    const { code, stderr } = await sfsync(['init'], {});
    expect(code).toBe(2);
    expect(stderr).toBe(
      'sfsync: no source database to read: pass --source-url or set DATABASE_URL\n',
    );
  });

  it('config names env vars, never a URL; checked like doctor; audit uses it at once', async () => {
    const { code, stdout, stderr } = await sfsync(['init', ...MAPS]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        String.raw`^wrote sfsync\.config\.json: ` +
          String.raw`6 entities \(5 with a source table, 1 read-only\), \d+ todo note\(s\)$`,
        'm',
      ),
    );
    const todos = Number(/(\d+) todo note\(s\)$/m.exec(stdout)![1]);
    // The databases are fine, but an unfinished config is not called healthy: init still exits 0,
    // it is init's hand-over.
    expect(stdout).not.toContain('healthy');
    expect(stdout).toContain(`usable once ${todos} todo notes are settled`);
    const text = await readFile(join(dir, 'sfsync.config.json'), 'utf8');
    expect(text).not.toContain('postgres://');
    expect(JSON.parse(text)).toMatchObject({
      source: { url: 'env:DATABASE_URL' },
      mirror: { url: 'env:SALESFORCE_CONNECT_DB' },
    });
    const audit = await sfsync(['audit', '--format', 'json']);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout).order).toEqual([
      'contact',
      'editor',
      'classroom',
      'contact_classroom_affiliation',
      'contact_editor_affiliation',
      'lesson',
    ]);
    const doctor = await sfsync(['doctor', '--format', 'json']);
    expect(
      JSON.parse(doctor.stdout).findings.filter((f: { code: string }) => f.code === 'config_todo')
        .length,
    ).toBeGreaterThan(0);
  });

  it('never overwrites without --force', async () => {
    const file = join(dir, 'mine.json');
    await writeFile(file, '{"hand": "written"}\n');
    const refused = await sfsync(['init', '--config', 'mine.json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('sfsync: mine.json exists: pass --force to overwrite it\n');
    expect(await readFile(file, 'utf8')).toBe('{"hand": "written"}\n');
    const forced = await sfsync([
      'init',
      '--config',
      'mine.json',
      '--force',
      '--format',
      'json',
      '--from-export',
      join(FIXTURE_DIR, 'connect-export.json'),
      ...MAPS,
    ]);
    expect(forced.code).toBe(0);
    const doc = JSON.parse(forced.stdout);
    expect(doc).toMatchObject({
      tool: 'sfsync',
      command: 'init',
      formatVersion: 1,
      file: 'mine.json',
      doctor: { ok: false, todos: doc.todos.length },
    });
    expect(doc.doctor.findings.filter((f: { level: string }) => f.level === 'error')).toEqual([]);
    expect(doc.entities.find((e: { name: string }) => e.name === 'contact')).toEqual({
      name: 'contact',
      mirrorTable: 'contact',
      readOnly: true,
      sourceTable: null,
      fields: 0,
      parents: [],
    });
    expect(doc.todos.length).toBeGreaterThan(0);
  });

  it('refuses a malformed --map and an export that is not one, as usage errors', async () => {
    expect((await sfsync(['init', '--config', 'x.json', '--map', 'editor__c'])).stderr).toContain(
      '--map editor__c: expected <mirror table>=<source table>',
    );
    await writeFile(join(dir, 'bad-export.json'), '{"mappings": "no"}');
    const bad = await sfsync(['init', '--config', 'y.json', '--from-export', 'bad-export.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^sfsync: .*bad-export\.json is not a Heroku Connect mapping export: mappings: /,
    );
  });
});
