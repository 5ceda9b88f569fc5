import { PassThrough, Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/run.js';
import { acquireWriteLock } from '../../src/db/sfsync/lock.js';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';
import { fixtureConfig } from '../support/configs.js';

const db = useFixtureDatabases();
const env = () => fixtureEnv(db, { GITHUB_ACTOR: 'nightly-bot' });
const cli = (...args: string[]) => runCli([...args, '--config', FIXTURE_CONFIG], { env: env() });

beforeAll(async () => {
  await buildAuditScenario(db);
});

describe('sfsync repair', () => {
  it('refuses to write unattended without --yes', async () => {
    const result = await cli('repair');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'sfsync: refusing to write without --yes when stdin is not a terminal ' +
        '(see the plan first with `sfsync repair --dry-run`)\n',
    );
  });

  it('--retry takes what waits for a person, and says why it refuses a terminal code', async () => {
    const refused = await cli('repair', '--dry-run', '--retry', 'data-fix,ENTITY_IS_DELETED');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'sfsync: --retry ENTITY_IS_DELETED: ENTITY_IS_DELETED is terminal: never re-sent; give it ' +
        'another policy in the config (repair.policies) if this org differs\n',
    );
    const asked = await cli(
      'repair',
      '--dry-run',
      '--format',
      'json',
      '--retry',
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    );
    expect(asked.code).toBe(0);
    const school = JSON.parse(asked.stdout).actions.find(
      (a: { entity: string; key: string }) => a.entity === 'school' && a.key === u(8),
    );
    expect(school).toMatchObject({ action: 'reinsert', status: 'planned' });
    const zero = await cli('repair', '--dry-run', '--max-writes', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toBe(
      'sfsync: --max-writes must be at least 1 (to write nothing, use --dry-run)\n',
    );
  });

  it('--dry-run prints the plan as the documented JSON; exits 0, 1 if asked to tell', async () => {
    const detailed = await cli('repair', '--dry-run', '--detailed-exit-code', '--format', 'json');
    expect(detailed.code).toBe(1);
    const result = await cli('repair', '--dry-run', '--format', 'json');
    expect(result.code).toBe(0);
    // The same plan either way: only the exit code tells.
    expect(JSON.parse(result.stdout).actions).toEqual(JSON.parse(detailed.stdout).actions);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      tool: 'sfsync',
      command: 'repair',
      formatVersion: 1,
      dryRun: true,
      runId: null,
    });
    expect(doc.actions.find((a: { key: string }) => a.key === '1')).toEqual({
      entity: 'role',
      key: '1',
      action: 'reinsert',
      status: 'planned',
      error: null,
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
      reason:
        'FOREIGN_KEY_NOT_FOUND (retry-after-parent): ' +
        'delete the sfid-NULL FAILED row, insert it again',
      mirrorId: expect.any(Number),
      deleteIds: [],
      columns: [],
      changes: [],
      blockedBy: null,
    });
    expect(doc.summary.role).toEqual({
      reinsert: { planned: 1 },
      defer: { deferred: 4 },
      insert: { planned: 1 },
      update: { planned: 1 },
    });
  });

  it('asks a person naming the database it would write to, and on no writes nothing', async () => {
    const stderr = new PassThrough();
    let printed = '';
    stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const context: CliContext = {
      stdout: { write: () => true },
      stderr,
      stdin: Readable.from(['n\n']),
      stdinIsTTY: true,
      argv: ['repair'],
      env: env(),
      cwd: process.cwd(),
      signal: new AbortController().signal,
      exitCode: 0,
    };
    const plan = async () =>
      JSON.parse((await cli('repair', '--dry-run', '--format', 'json')).stdout).actions;
    const before = await plan();
    const mirrorDatabase = new URL(db.mirrorUrl).pathname.slice(1);
    expect(await run(['repair', '--config', FIXTURE_CONFIG], context)).toBe(1);
    expect(printed).toMatch(
      new RegExp(
        String.raw`repair: apply \d+ change\(s\) to the mirror database ` +
          String.raw`[^ ]+/${mirrorDatabase} \(schema salesforce\)\? \[y/N\] `,
      ),
    );
    expect(await plan()).toEqual(before);
  });

  it('exits 4 while another run holds the lock', async () => {
    const lock = await acquireWriteLock(fixtureConfig(db).mirror);
    try {
      const result = await cli('repair', '--yes');
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        new RegExp(
          '^sfsync: another sfsync repair or backfill is writing to this mirror database ' +
            String.raw`\(held since .*\); wait for it to finish, then run again\n$`,
        ),
      );
    } finally {
      await lock.release();
    }
  });

  it('repairs with --yes, prints a summary and exits 1 for what it had to defer', async () => {
    const result = await cli('repair', '--yes');
    if (process.env.SFSYNC_SHOW_OUTPUT) console.log(result.stdout);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^repair run [0-9a-f-]{36}\n/);
    expect(result.stdout).toMatch(
      /7 done, 0 failed, 3 skipped; 5 deferred until their parents have an sfid/,
    );
    const runId = /journal: sfsync journal ([0-9a-f-]{36})/.exec(result.stdout)![1]!;

    const runs = await cli('journal', '--format', 'json');
    const listed = JSON.parse(runs.stdout).runs;
    expect(listed[0]).toMatchObject({
      runId,
      command: 'repair',
      actor: 'nightly-bot (ci)',
      status: 'done',
      changes: 8,
      dryRun: false,
    });

    const entries = await cli('journal', runId.slice(0, 8));
    expect(entries.code).toBe(0);
    expect(entries.stdout).toContain(`run ${runId}: repair by nightly-bot (ci)`);
    expect(entries.stdout).toMatch(/role +│ delete +│ 1 /);
    expect(entries.stdout).toContain('deleted (sfid NULL, FAILED)');
    const json = JSON.parse((await cli('journal', runId, '--format', 'json')).stdout);
    expect(
      json.entries.find(
        (e: { action: string; key: string }) => e.action === 'delete' && e.key === '1',
      ).before,
    ).toMatchObject({
      affiliation_id__c: '1',
      _hc_lastop: 'FAILED',
    });
  });

  it('finds nothing new to write on a second run', async () => {
    const result = await cli('repair', '--dry-run', '--format', 'json');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.actions.filter((a: { status: string }) => a.status === 'planned')).toEqual([]);
    // A dry run settles nothing: it writes nothing, the journal included.
    expect(doc).toMatchObject({ outcomes: null, earlierOutcomes: null });
  });

  it('a writing run says what became of the last run, and none of it landed yet', async () => {
    // Connect is not running here: the rows the last run sent are all still on their way.
    const result = await cli('repair', '--yes', '--format', 'json');
    expect(JSON.parse(result.stdout)).toMatchObject({
      outcomes: null,
      earlierOutcomes: { confirmed: 0, failedAgain: 0, unconfirmed: 0, pending: 6 },
    });
    const table = await cli('repair', '--yes');
    expect(table.stdout).toMatch(
      /^earlier runs' writes: 0 confirmed, 0 failed again, 6 still unconfirmed$/m,
    );
  });

  it('says when a journal run id matches nothing', async () => {
    const result = await cli('journal', 'ffffffff');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no run matches ffffffff');
  });
});

describe('sfsync backfill', () => {
  it('plans only inserts of absent rows and deferrals', async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code) VALUES ($1, 'Brand New School', 'gb')`,
      [u(60)],
    );
    const result = await cli('backfill', '--dry-run', '--format', 'json');
    const doc = JSON.parse(result.stdout);
    expect(doc.command).toBe('backfill');
    expect(new Set(doc.actions.map((a: { action: string }) => a.action))).toEqual(
      new Set(['insert', 'defer']),
    );
    expect(doc.actions.find((a: { key: string }) => a.key === u(60))).toMatchObject({
      action: 'insert',
      status: 'planned',
    });
  });
});
