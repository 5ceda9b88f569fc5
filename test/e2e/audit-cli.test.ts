import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
const env = () => fixtureEnv(db);
const audit = (...args: string[]) =>
  runCli(['audit', '--config', FIXTURE_CONFIG, ...args], { env: env() });

beforeAll(async () => {
  await buildAuditScenario(db);
});

describe('sfsync audit', () => {
  it('prints a summary table and the mismatches, and exits 1', async () => {
    const result = await audit();
    if (process.env.SFSYNC_SHOW_OUTPUT) console.log(result.stdout);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    // 120 columns off a terminal: the classes that occur, listed in one column.
    expect(result.stdout).toMatch(
      /│ school +│ 7 +│ 7 +│ 2 +│ 1 +│ 1\sabsent, 1\sfailed, 1\sstuck, 1\sdrift, 1\sorphan +│/,
    );
    expect(result.stdout).toContain('role (contact_editor_affiliation__c): 7 mismatches');
    expect(result.stdout).toContain('FOREIGN_KEY_NOT_FOUND');
    expect(result.stdout).toMatch(/15 mismatches in 6 entities/);
  });

  it('limits the listed mismatches with --details', async () => {
    const result = await audit('--details', '1');
    expect(result.stdout).toContain('role (contact_editor_affiliation__c): 7 mismatches, first 1');
    expect(result.stdout).toContain('… and 6 more');
  });

  it('prints the documented JSON document with every mismatch', async () => {
    const result = await audit('--format', 'json');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      tool: 'sfsync',
      command: 'audit',
      formatVersion: 1,
      order: ['school', 'contact', 'role', 'school_class', 'class_teacher', 'lesson'],
    });
    expect(Date.parse(doc.startedAt)).toBeLessThanOrEqual(Date.parse(doc.finishedAt));
    const role = doc.entities.find((e: { name: string }) => e.name === 'role');
    expect(role).toMatchObject({
      name: 'role',
      sourceRows: 7,
      mirrorRows: 4,
      counts: { missing_parent: 4, failed: 1, absent: 1, drift: 1 },
    });
    expect(role.mismatches).toHaveLength(7);
    const failed = role.mismatches.find((m: { key: string }) => m.key === '1');
    expect(failed).toMatchObject({
      key: '1',
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: true,
      mirror: {
        id: expect.any(Number),
        sfid: null,
        lastop: 'FAILED',
        hcErr: expect.stringContaining('Foreign key external ID'),
      },
      parent: null,
      fields: [],
    });
    expect(doc.totals).toMatchObject({ mismatches: 15, sourceRows: 19, mirrorRows: 18 });
  });

  it('streams ndjson: one mismatch per line, then a summary line', async () => {
    const result = await audit('--format', 'ndjson');
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(16);
    expect(lines.slice(0, -1).every((l) => l.type === 'mismatch')).toBe(true);
    expect(lines[0]).toMatchObject({ type: 'mismatch', entity: 'school' });
    expect(lines.at(-1)).toMatchObject({
      type: 'summary',
      tool: 'sfsync',
      command: 'audit',
      totals: { mismatches: 15 },
    });
    expect(lines.at(-1).entities[0].mismatches).toBeUndefined();
  });

  it('exits 0 when no mismatch is in the --fail-on classes', async () => {
    const result = await audit(
      '--entity',
      'lesson',
      '--fail-on',
      'drift,orphan',
      '--format',
      'json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).entities[0].counts.missing_parent).toBe(1);
    expect((await audit('--entity', 'lesson', '--fail-on', 'missing_parent')).code).toBe(1);
  });

  it('rejects bad option values with exit 2', async () => {
    const stale = await audit('--stale', '5 minutes');
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('expected a duration such as 90s, 30m, 2h or 1d');
    const failOn = await audit('--fail-on', 'drift,broken');
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toContain('unknown class broken');
    const entity = await audit('--entity', 'lessons');
    expect(entity.code).toBe(2);
    expect(entity.stderr).toBe(
      'sfsync: --entity lessons: no such entity in the config — did you mean "lesson"?\n',
    );
  });

  it('exits 3 with the differences when the databases do not match the config', async () => {
    await db.mirror(
      'ALTER TABLE salesforce.lesson__c RENAME COLUMN lessontitle__c TO lesson_title__c',
    );
    try {
      const result = await audit();
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        'the databases do not match the config (run `sfsync doctor` for the full report)',
      );
      expect(result.stderr).toContain(
        'fields.lessontitle__c: column salesforce.lesson__c.lessontitle__c does not exist' +
          ' — did you mean "lesson_title__c"?',
      );
    } finally {
      await db.mirror(
        'ALTER TABLE salesforce.lesson__c RENAME COLUMN lesson_title__c TO lessontitle__c',
      );
    }
  });

  it('keeps stdout clean of progress when stderr is not a terminal', async () => {
    const result = await audit('--format', 'json', '--entity', 'school');
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toBe('');
    expect(
      JSON.parse(result.stdout).entities[0].mismatches.map((m: { key: string }) => m.key),
    ).toContain(u(2));
  });
});
