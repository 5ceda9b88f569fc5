import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/run.js';
import { connect } from '../../src/db/driver/connect.js';
import { writeLikeTheApp, writeUpstreamContacts } from '../../src/sim/app-writer.js';
import { generateSourceData } from '../../src/sim/demo-data.js';
import { ConnectSimulator } from '../../src/sim/simulator.js';
import { fixtureEnv, runCli } from '../support/cli.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * A config fresh from `sfsync init` still has todo notes (one asks for the
 * source.where the app filters by): no run may write from it until a person
 * settles them, or says --allow-todo.
 */
const db = useFixtureDatabases();
let dir: string;
let configPath: string;
let todos: number;
const MAPS = [
  'editor__c=schools',
  'contact_editor_affiliation__c=roles',
  'classroom__c=school_classes',
  'contact_classroom_affiliation__c=class_teachers',
];
const sfsync = (...args: string[]) => runCli(args, { env: fixtureEnv(db), cwd: dir });

/** Every table of the mirror database's schemas with its row count: what a write would change. */
async function mirrorState(): Promise<Record<string, number>> {
  const { rows } = await db.mirror(
    `select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
  );
  const state: Record<string, number> = {};
  for (const { name } of rows) {
    const [schema, table] = name.split('.');
    state[name] = Number(
      (await db.mirror(`select count(*) as n from "${schema}"."${table}"`)).rows[0].n,
    );
  }
  return state;
}

/** The demo's world: the app's data, the rows its jobs wrote to the mirror, one pass of Connect. */
async function seedDemoData(): Promise<void> {
  const config = fixtureConfig(db);
  const [source, mirror, asConnect] = await Promise.all([
    connect(config.source),
    connect(config.mirror),
    connect(config.mirror, { sessionOptions: '-c xmlbinary=hex' }),
  ]);
  try {
    const people = await generateSourceData(
      source.db,
      {
        schools: 300,
        usersPerSchool: 6,
        classesPerSchool: 2,
        lessonsPerClass: 2,
        studentsPerClass: 8,
      },
      7,
    );
    const contact = config.entities.find((e) => e.name === 'contact')!;
    await writeUpstreamContacts(
      asConnect,
      contact.mirror.table,
      contact.mirror.externalId,
      people.upstream,
    );
    await writeLikeTheApp(config, source, mirror, 7);
  } finally {
    await Promise.all([source.close(), mirror.close(), asConnect.close()]);
  }
  const sim = await ConnectSimulator.open(config, config.mirror, {
    failRate: 0,
    seed: 7,
    latencyMs: 0,
    batchSize: 500,
  });
  await sim.drain();
  await sim.close();
}

beforeAll(async () => {
  await seedDemoData();
  dir = await mkdtemp(join(tmpdir(), 'sfsync-unfinished-'));
  configPath = join(dir, 'sfsync.config.json');
  const init = await sfsync('init', ...MAPS.flatMap((m) => ['--map', m]));
  expect(init.code).toBe(0);
  const raw = JSON.parse(await readFile(configPath, 'utf8'));
  todos =
    (raw.todo?.length ?? 0) +
    raw.entities.reduce((n: number, e: { todo?: string[] }) => n + (e.todo?.length ?? 0), 0);
  expect(todos).toBeGreaterThan(0);
  // init's own note: the app syncs only some of its rows, so the config needs a source.where.
  expect(JSON.stringify(raw)).toContain('add the rule as source.where');
});

describe('a config with todo notes', () => {
  it.each([['backfill'], ['repair']])(
    '%s --yes refuses with exit 2 before touching the mirror: no row, no lock, no journal',
    async (command) => {
      const before = await mirrorState();
      expect(Object.keys(before).some((t) => t.startsWith('sfsync.'))).toBe(false);
      const result = await sfsync(command, '--yes');
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `sfsync: refusing to write: ${todos} todo notes remain in ${configPath} ` +
          '(`sfsync doctor` lists them; settle each and delete it, or pass --allow-todo)\n',
      );
      expect(await mirrorState()).toEqual(before);
    },
  );

  it('refuses a person at the prompt too, before asking', async () => {
    const before = await mirrorState();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const context: CliContext = {
      stdout: { write: (text) => stdout.write(text) },
      stderr,
      stdin: Readable.from(['y\n']),
      stdinIsTTY: true,
      argv: ['backfill'],
      env: fixtureEnv(db),
      cwd: dir,
      signal: new AbortController().signal,
      exitCode: 0,
    };
    expect(await run(['backfill'], context)).toBe(2);
    expect(printed).toMatch(/^sfsync: refusing to write: \d+ todo notes remain in /);
    expect(printed).not.toContain('[y/N]');
    expect(await mirrorState()).toEqual(before);
  });

  it('still reads: a dry run, an audit and --order work', async () => {
    const before = await mirrorState();
    const dryRun = await sfsync('backfill', '--dry-run', '--format', 'json');
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).actions.length).toBeGreaterThan(0);
    expect((await sfsync('audit')).code).toBe(1);
    expect((await sfsync('backfill', '--order')).code).toBe(0);
    expect(await mirrorState()).toEqual(before);
  });

  it('doctor: not healthy, usable once notes settle; exit 2 (0 with --allow-todo)', async () => {
    const doctor = await sfsync('doctor');
    expect(doctor.code).toBe(2);
    expect(doctor.stdout).not.toContain('healthy');
    expect(doctor.stdout).toContain(`usable once ${todos} todo notes are settled`);
    const json = await sfsync('doctor', '--format', 'json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, todos });
    const allowed = await sfsync('doctor', '--allow-todo', '--format', 'json');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ ok: true, todos });
  });

  it('writes with --allow-todo', async () => {
    const before = await mirrorState();
    const result = await sfsync('backfill', '--yes', '--allow-todo', '--format', 'json');
    expect(result.stderr).toBe('');
    expect([0, 1]).toContain(result.code);
    const done = JSON.parse(result.stdout).actions.filter(
      (a: { status: string }) => a.status === 'done',
    ).length;
    expect(done).toBeGreaterThan(0);
    const after = await mirrorState();
    const written = Object.keys(before)
      .filter((t) => t.startsWith('salesforce.') && !t.startsWith('salesforce._'))
      .reduce((n, t) => n + after[t]! - before[t]!, 0);
    expect(written).toBe(done);
    expect(after['sfsync.journal']).toBeGreaterThan(0);
  });
});
