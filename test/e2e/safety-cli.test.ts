import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli, startCli, waitFor } from '../support/cli.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { startHttpSink } from '../support/http-sink.js';
import { FIXTURE_CONFIG } from '../support/paths.js';
import {
  LOST_SESSION,
  advisoryLocksHeld,
  terminateLockHolder,
  terminateSessions,
} from '../support/sessions.js';
import { silentProxy } from '../support/silent-proxy.js';

const db = useFixtureDatabases();
const env = () => fixtureEnv(db);
/** The configs the tests write, removed with it when the file's tests are done. */
const configDir = mkdtempSync(join(tmpdir(), 'sfsync-safety-cli-'));
afterAll(() => rmSync(configDir, { recursive: true, force: true }));
const cli = (...args: string[]) => runCli([...args, '--config', FIXTURE_CONFIG], { env: env() });
const start = (...args: string[]) =>
  startCli([...args, '--config', FIXTURE_CONFIG], { env: env() });
/**
 * The same URL with a password in it; the test server trusts 127.0.0.1, so any password connects.
 */
const withPassword = (url: string, password: string) =>
  url.replace('postgres@', `postgres:${password}@`);
const runs = async () =>
  (await db.mirror(`SELECT run_id, status, command_line FROM sfsync.runs ORDER BY started_at`))
    .rows;

/**
 * A config whose source reads take `seconds` per school row, so a test can act while a command
 * runs.
 */
function slowConfig(seconds: number): string {
  const raw = fixtureConfigObject();
  // concat() evaluates pg_sleep for every row (a FROM pg_sleep() subquery would run once and be
  // reused).
  raw.entities[0].fields.name = { sql: `concat(src.name, pg_sleep(${seconds}))` };
  const file = join(configDir, `slow-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

/**
 * Starts a CLI run whose inserts into editor__c each take `seconds` (a slow
 * trigger), and resolves once one is running, so a test can cut it off.
 */
async function startWithSlowInsert(seconds: number, ...args: string[]) {
  await db.mirror(
    `CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql
      AS $$ BEGIN PERFORM pg_sleep(${seconds}); RETURN NEW; END $$`,
  );
  await db.mirror(
    `CREATE TRIGGER slow_insert BEFORE INSERT ON salesforce.editor__c
      FOR EACH ROW EXECUTE FUNCTION public.slow_insert()`,
  );
  const running = start(...args);
  // Sleeping in the trigger, not any insert: a fast one (another table, the journal) can be gone
  // by the time a test cuts it off, and the run then ends on its own.
  const inserting = async () =>
    (
      await db.mirror(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'sfsync%'
          AND state = 'active' AND query ILIKE '%insert into%' AND wait_event = 'PgSleep'`,
      )
    ).rows[0].n > 0;
  await waitFor(inserting, 'the insert to run');
  return running;
}

/**
 * A repair that has written its first level and now waits (--wait) for a Connect that never comes:
 * a safe place to be stopped.
 */
async function startWaitingRepair() {
  const running = start('repair', '--yes', '--wait', '2m');
  const journaled = async () =>
    (await db.mirror(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'sfsync'`))
      .rows[0].n > 0 &&
    (await db.mirror(`SELECT count(*)::int AS n FROM sfsync.journal`)).rows[0].n > 0;
  await waitFor(journaled, 'the first level to be written');
  return running;
}

beforeEach(async () => {
  await db.reset();
  await buildAuditScenario(db);
});

describe('secrets', () => {
  it('never stores or shows the password of a URL given on the command line', async () => {
    const secret = 'S3cretPassw0rd';
    const result = await cli(
      'repair',
      '--yes',
      '--mirror-url',
      withPassword(db.mirrorUrl, secret),
      `--source-url=${withPassword(db.sourceUrl, secret)}`,
    );
    expect(result.code).toBe(1);
    const stored = await runs();
    expect(stored).toHaveLength(1);
    expect(stored[0].command_line).not.toContain(secret);
    expect(stored[0].command_line).toContain('postgres:***@127.0.0.1');
    for (const args of [
      ['journal'],
      ['journal', '--format', 'json'],
      ['journal', stored[0].run_id],
      ['journal', stored[0].run_id, '--format', 'json'],
    ]) {
      const shown = await cli(...args);
      expect(shown.code).toBe(0);
      expect(shown.stdout + shown.stderr).not.toContain(secret);
      // The list of runs has no command-line column; the rest show it, redacted.
      if (args.length > 1) expect(shown.stdout).toContain('postgres:***@');
    }
  });

  it('redacts runs that an older version stored with the password in them', async () => {
    expect((await cli('repair', '--yes')).code).toBe(1);
    const [{ run_id }] = await runs();
    await db.mirror(
      `UPDATE sfsync.runs
          SET command_line = 'sfsync repair --yes '
                || '--mirror-url postgres://app:0ldLeak@db.example.com/d?password=0ldLeak2 '
                || '--notify https://hooks.slack.com/services/0ldLeak4',
              summary = '{"error": "cannot connect to postgresql://app:0ldLeak3@db.example.com/d"}'
        WHERE run_id = $1`,
      [run_id],
    );
    for (const args of [
      ['journal', '--format', 'json'],
      ['journal', run_id],
      ['journal', run_id, '--format', 'json'],
    ]) {
      const shown = await cli(...args);
      expect(shown.stdout).not.toMatch(/0ldLeak/);
      expect(shown.stdout).toContain('app:***@db.example.com');
      expect(shown.stdout).toContain('--notify https://hooks.slack.com/***');
    }
  });

  it('keeps webhook paths and Pushgateway credentials out of journal and warnings', async () => {
    const sink = await startHttpSink();
    try {
      const notify = `${sink.url}/services/T0/B0/W3bh00kS3cret`;
      const gateway = sink.url.replace('http://', 'http://pushuser:PushPa55@');
      const result = await cli('repair', '--yes', '--notify', notify, `--pushgateway=${gateway}`);
      expect(result.code).toBe(1);
      const secrets = /W3bh00kS3cret|PushPa55|pushuser/;
      expect(result.stderr).not.toMatch(secrets);
      expect(sink.received.map((r) => r.url).sort()).toEqual([
        '/metrics/job/sfsync/command/repair/mode/apply',
        '/services/T0/B0/W3bh00kS3cret',
      ]);
      const [stored] = await runs();
      expect(stored.command_line).not.toMatch(secrets);
      expect(stored.command_line).toContain(
        `--notify ${sink.url}/*** --pushgateway=${sink.url.replace('http://', 'http://***@')}`,
      );
      for (const args of [
        ['journal', stored.run_id],
        ['journal', stored.run_id, '--format', 'json'],
      ]) {
        const shown = await cli(...args);
        expect(shown.stdout).toContain(`${sink.url}/***`);
        expect(shown.stdout + shown.stderr).not.toMatch(secrets);
      }
    } finally {
      await sink.close();
    }
  });

  it("redacts commander's own messages, which echo option values", async () => {
    const result = await cli('audit', '--format', 'postgres://app:Echo3dSecret@db.example.com/d');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('app:***@db.example.com');
    expect(result.stderr).not.toContain('Echo3dSecret');
  });
});

describe('a lost write lock', () => {
  it('stops before the batch commits and exits 4 with one line', async () => {
    const running = await startWithSlowInsert(1, 'repair', '--yes', '--batch-size', '1');
    const inserting = (
      await db.source(`SELECT id FROM schools WHERE name = 'Never Written School'`)
    ).rows[0].id;
    expect(await terminateLockHolder(db.mirrorUrl)).toBe(1);
    const result = await running.exited;
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: the write lock was lost \(.*\); ` +
          String.raw`sfsync stopped before committing another batch\. ` +
          String.raw`What was committed is in the journal; run again to finish\n$`,
      ),
    );
    const { rows } = await db.mirror(
      `SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = $1`,
      [inserting],
    );
    expect(rows[0].n).toBe(0);
    expect((await runs()).map((r) => r.status)).toEqual(['aborted']);
  });
});

describe('a write lock lost without a word (the connection dropped by a NAT or a proxy)', () => {
  it('stops before the batch commits, exits 4, and ends though the lost session never answers', {
    timeout: 30_000,
  }, async () => {
    const proxy = await silentProxy(db.mirrorUrl);
    try {
      await db.mirror(
        `CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql
          AS $$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$`,
      );
      await db.mirror(
        `CREATE TRIGGER slow_insert BEFORE INSERT ON salesforce.editor__c
          FOR EACH ROW EXECUTE FUNCTION public.slow_insert()`,
      );
      const running = startCli(
        ['repair', '--yes', '--batch-size', '1', '--config', FIXTURE_CONFIG],
        {
          env: fixtureEnv({ sourceUrl: db.sourceUrl, mirrorUrl: proxy.url }),
        },
      );
      const inserting = async () =>
        (
          await db.mirror(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'sfsync%'
              AND state = 'active' AND query ILIKE '%insert into%'`,
          )
        ).rows[0].n > 0;
      await waitFor(inserting, 'the insert to run');
      expect(proxy.cut('sfsync/mirror/lock')).toBe(1);
      // Before: the unanswered unlock, then the half-closed socket, kept the process alive until
      // TCP gave up (hours).
      const result = await running.exited;
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        new RegExp(
          '^sfsync: the write lock was lost ' +
            String.raw`\(the server no longer grants it to session \d+\); sfsync stopped before`,
        ),
      );
      expect((await runs()).map((r) => r.status)).toEqual(['aborted']);
    } finally {
      await proxy.close();
    }
  });
});

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal}: rolls back, unlocks, marks the run interrupted and exits ${code}`, async () => {
      const running = await startWaitingRepair();
      running.child.kill(signal);
      const result = await running.exited;
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(`sfsync: interrupted by ${signal}: stopped at a safe point`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect((await runs()).map((r) => r.status)).toEqual(['interrupted']);
      expect(await advisoryLocksHeld(db.mirrorUrl)).toBe(0);
    });
  }

  it('kill -9: the run stays "running" but shows as abandoned once its lock is free', async () => {
    const running = await startWaitingRepair();
    running.child.kill('SIGKILL');
    expect((await running.exited).signal).toBe('SIGKILL');
    await waitFor(
      async () => (await advisoryLocksHeld(db.mirrorUrl)) === 0,
      'the server to drop the dead lock session',
    );
    expect((await runs()).map((r) => r.status)).toEqual(['running']);
    const shown = JSON.parse((await cli('journal', '--format', 'json')).stdout);
    expect(shown.runs.map((r: { status: string }) => r.status)).toEqual(['abandoned']);
    // And the next run is free to go.
    expect((await cli('repair', '--yes')).code).toBe(1);
  });
});

describe('timeouts, so a cron job never hangs', () => {
  it('--statement-timeout cancels a statement that runs too long: exit 3, in words', async () => {
    const result = await runCli(
      ['audit', '--config', slowConfig(0.3), '--statement-timeout', '500ms'],
      { env: env() },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: source database \(.*\): a statement was cancelled: ` +
          String.raw`it ran past statement_timeout \(raise --statement-timeout\).*` +
          String.raw`canceling statement due to statement timeout \[SQLSTATE 57014\]\n$`,
      ),
    );
  });

  it('--lock-timeout gives up on a row locked elsewhere, records it failed, goes on', async () => {
    const app = new pg.Client({ connectionString: db.mirrorUrl });
    await app.connect();
    try {
      await app.query(
        `BEGIN; SELECT * FROM salesforce.contact_editor_affiliation__c
          WHERE affiliation_id__c = '1' FOR UPDATE`,
      );
      const result = await cli('repair', '--yes', '--lock-timeout', '300ms', '--format', 'json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      const locked = report.actions.find(
        (a: { key: string; entity: string }) => a.entity === 'role' && a.key === '1',
      );
      expect(locked).toMatchObject({
        action: 'reinsert',
        status: 'failed',
        error: expect.stringMatching(/lock timeout \[SQLSTATE 55P03\]/),
      });
      expect(
        report.actions.filter((a: { status: string }) => a.status === 'done').length,
      ).toBeGreaterThan(0);
    } finally {
      await app.end();
    }
  });
});

describe('output that cannot be written', () => {
  it('ends quietly with 141 when the reader closes the pipe (`| head`)', async () => {
    const running = start('audit', '--format', 'ndjson');
    running.child.stdout!.destroy();
    const result = await running.exited;
    expect(result.code).toBe(141);
    expect(result.stderr).toBe('');
  });

  it('exits 74 with one line when the disk is full', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const running = startCli(['audit', '--format', 'json', '--config', FIXTURE_CONFIG], {
        env: env(),
        stdio: ['ignore', full, 'pipe'],
      });
      const result = await running.exited;
      expect(result.code).toBe(74);
      expect(result.stderr).toMatch(
        /^sfsync: cannot write the output: ENOSPC: no space left on device[^\n]*\n$/,
      );
    } finally {
      closeSync(full);
    }
  });
});

describe('a lost connection', () => {
  it('exits 3 with one line naming the database whose session died (audit)', async () => {
    const config = slowConfig(0.3);
    const running = startCli(['audit', '--config', config], { env: env() });
    await waitFor(
      async () =>
        (
          await db.source(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name LIKE 'sfsync%'
                AND state = 'active' AND query LIKE '%pg_sleep%'`,
          )
        ).rows[0].n > 0,
      'the audit to read schools',
    );
    await terminateSessions(db.sourceUrl, 'sfsync%');
    const result = await running.exited;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: source database \(127\.0\.0\.1:\d+\/sfsync_test_source_\w+\): ` +
          LOST_SESSION +
          String.raw`[^\n]*\n$`,
      ),
    );
  });

  it("exits 3 if a repair's write session dies mid-statement; marks the run aborted", async () => {
    // A slow trigger keeps the insert running long enough to be cut off.
    const running = await startWithSlowInsert(2, 'repair', '--yes');
    await terminateSessions(db.mirrorUrl, 'sfsync%', '%insert into%');
    const result = await running.exited;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: mirror database \(.*\): ` + LOST_SESSION + String.raw`[^\n]*\n$`,
      ),
    );
    expect((await runs()).map((r) => r.status)).toEqual(['aborted']);
    expect(await advisoryLocksHeld(db.mirrorUrl)).toBe(0);
  });
});
