import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/driver/connect.js';
import { writeLikeTheApp, writeUpstreamContacts } from '../../src/sim/app-writer.js';
import { generateSourceData } from '../../src/sim/demo-data.js';
import { fixtureEnv, runCli, startCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { fixtureConfig } from '../support/configs.js';
import { fixtureConfigObject } from '../support/config-text.js';

const db = useFixtureDatabases();
const env = () => fixtureEnv(db);
// Each write fails with p = 0.1, so a row needs more than 10 tries with p = 1e-10: 10 rounds bound
// it safely. Rounds follow each other at once, so re-sends wait no backoff, and a row may use
// every round.
const MAX_ROUNDS = 10;
const CONFIG = join(mkdtempSync(join(tmpdir(), 'sfsync-sim-loop-')), 'sfsync.config.json');
writeFileSync(
  CONFIG,
  JSON.stringify({
    ...fixtureConfigObject(),
    repair: { backoff: ['0s'], maxAttempts: MAX_ROUNDS },
  }),
);
const cli = (...args: string[]) => runCli([...args, '--config', CONFIG], { env: env() });
let missingContacts: readonly string[] = [];

beforeAll(async () => {
  // The app: a small data set, written to the mirror by independent jobs (the race), with upstream
  // contacts.
  const config = fixtureConfig(db);
  const source = await connect(config.source);
  const mirror = await connect(config.mirror);
  const hex = await connect(config.mirror, { sessionOptions: '-c xmlbinary=hex' });
  try {
    const people = await generateSourceData(
      source.db,
      {
        schools: 40,
        usersPerSchool: 4,
        classesPerSchool: 2,
        lessonsPerClass: 2,
        studentsPerClass: 3,
      },
      11,
    );
    missingContacts = people.missing;
    const contact = config.entities.find((e) => e.name === 'contact')!;
    await writeUpstreamContacts(
      hex,
      contact.mirror.table,
      contact.mirror.externalId,
      people.upstream,
    );
    await writeLikeTheApp(config, source, mirror, 11);
  } finally {
    await Promise.all([source.close(), mirror.close(), hex.close()]);
  }
});

describe('the whole loop, as subprocesses: app race → sim → audit → repair → sim', () => {
  it('the race leaves FAILED rows that the audit classifies', async () => {
    const sim = await cli('sim', '--once', '--format', 'json');
    expect(sim.code).toBe(0);
    const stats = JSON.parse(sim.stdout);
    expect(stats).toMatchObject({ tool: 'sfsync', command: 'sim' });
    expect(stats.failed).toBeGreaterThan(0);

    const audit = await cli('audit', '--format', 'json');
    expect(audit.code).toBe(1);
    const doc = JSON.parse(audit.stdout);
    const mismatches = doc.entities.flatMap(
      (e: { mismatches: { class: string; code: string | null; repairable: boolean }[] }) =>
        e.mismatches,
    );
    expect(
      mismatches.some(
        (m: { class: string; code: string | null; repairable: boolean }) =>
          m.class === 'failed' && m.code === 'FOREIGN_KEY_NOT_FOUND' && m.repairable,
      ),
    ).toBe(true);
  });

  it('repair --wait + simulator with lock failures: converges in bounded rounds', async () => {
    // Connect keeps working in the background, as it does in production.
    const sim = startCli(
      [
        'sim',
        '--watch',
        '--interval',
        '200ms',
        '--fail-rate',
        '0.1',
        '--seed',
        '3',
        '--config',
        CONFIG,
      ],
      { env: env() },
    );
    let rounds = 0;
    let stopped: Awaited<ReturnType<typeof sim.stop>>;
    try {
      for (; rounds < MAX_ROUNDS; rounds++) {
        const plan = JSON.parse((await cli('repair', '--dry-run', '--format', 'json')).stdout);
        const work = plan.actions.filter(
          (a: { status: string; blockedBy: { state: string } | null }) =>
            a.status === 'planned' || a.blockedBy?.state === 'unsynced',
        );
        if (work.length === 0) break;
        const repair = await cli('repair', '--yes', '--wait', '20s', '--format', 'json');
        expect([0, 1]).toContain(repair.code);
      }
    } finally {
      // Stopped whatever happened; judged after, so a failure in the loop is the one reported.
      stopped = await sim.stop();
    }
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(
      /^processed \d+ trigger-log entries: \d+ succeeded, \d+ failed, \d+ ignored\n$/,
    );
    expect(rounds).toBeLessThan(MAX_ROUNDS);

    // What is left waits for Contacts that never arrive upstream, and nothing else.
    const audit = JSON.parse((await cli('audit', '--format', 'json')).stdout);
    const left = audit.entities.flatMap((e: { mismatches: unknown[] }) => e.mismatches) as {
      class: string;
      parent: { entity: string; key: string; state: string } | null;
    }[];
    for (const m of left) {
      expect(m.class).toBe('missing_parent');
      expect(m.parent).toMatchObject({ entity: 'contact', state: 'absent' });
      expect(missingContacts).toContain(m.parent!.key);
    }
    // A second repair right after plans nothing.
    const again = JSON.parse((await cli('repair', '--dry-run', '--format', 'json')).stdout);
    expect(again.actions.filter((a: { status: string }) => a.status === 'planned')).toEqual([]);
    // Bounded by MAX_ROUNDS of subprocess runs against a live simulator (16–22 s here, more on a
    // loaded machine), not by the default limit.
  }, 90_000);

  it('never deleted a row that had an sfid, and journaled every row it deleted', async () => {
    // Connect logs every client DELETE; one of a row with an sfid would have reached Salesforce.
    const deletes = await db.mirror(`SELECT record_id, table_name, sfid, state
                         FROM salesforce._trigger_log_archive WHERE action = 'DELETE'
                       UNION ALL
                       SELECT record_id, table_name, sfid, state
                         FROM salesforce._trigger_log WHERE action = 'DELETE'`);
    expect(deletes.rows.length).toBeGreaterThan(0);
    expect(deletes.rows.filter((r) => r.sfid !== null || r.state !== 'IGNORE')).toEqual([]);
    const journaled = await db.mirror(
      `SELECT mirror_table AS table_name, mirror_id AS record_id FROM sfsync.journal
        WHERE action = 'delete' AND (before->>'sfid') IS NULL`,
    );
    const key = (r: { table_name: string; record_id: number }) => `${r.table_name}:${r.record_id}`;
    expect(new Set(journaled.rows.map(key))).toEqual(new Set(deletes.rows.map(key)));
  });
});

describe('sfsync demo', () => {
  it('runs the story on a throwaway PostgreSQL, ending clean but for the unfixable', async () => {
    const result = await runCli(['demo', '--schools', '30'], { env: {} });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Step 1/4  sfsync audit');
    expect(result.stdout).toContain('Step 4/4  sfsync audit — after the repair');
    const summary =
      /Mismatches: (\d+) before, (\d+) after\. (\d+) wait for a teacher's Contact/.exec(
        result.stdout,
      );
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(0);
    expect(summary![2]).toBe(summary![3]);
    expect(result.stdout).not.toContain('other mismatch');
  }, 120_000);

  it('tells the same story as one JSON document with --format json', async () => {
    const result = await runCli(['demo', '--schools', '10', '--format', 'json'], { env: {} });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      tool: 'sfsync',
      command: 'demo',
      formatVersion: 1,
      seed: 7,
      kept: null,
    });
    expect(doc.firstSync.failed).toBeGreaterThan(0);
    expect(doc.before.totals.mismatches).toBeGreaterThan(doc.after.totals.mismatches);
    expect(doc.rounds.length).toBeGreaterThan(0);
    expect(doc.after.entities.map((e: { name: string }) => e.name)).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
  }, 120_000);
});
