import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, FK_SCHOOL, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
const why = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(['why', ...args, '--config', FIXTURE_CONFIG], { env: fixtureEnv(db, env) });

beforeAll(async () => {
  await buildAuditScenario(db);
});

describe('sfsync why', () => {
  it('prints the documented JSON story of role 1 and exits 1 for its mismatch', async () => {
    const result = await why(['role', '1', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual([
      'tool',
      'command',
      'formatVersion',
      'entity',
      'key',
      'readOnly',
      'readAt',
      'found',
      'source',
      'mirror',
      'triggerLog',
      'classification',
      'journal',
      'parents',
      'blockedBy',
      'attempts',
    ]);
    expect(doc).toMatchObject({
      tool: 'sfsync',
      command: 'why',
      entity: 'role',
      key: '1',
      found: { source: true, mirror: true },
      source: {
        table: 'roles',
        rows: 1,
        fields: { roletype__c: 'teacher', createdat__c: '2024-04-01T08:00:00.000Z' },
        parents: { editor__r__editoruuid__c: u(1) },
      },
      mirror: {
        table: 'contact_editor_affiliation__c',
        rows: [{ sfid: null, lastop: 'FAILED', hcErr: FK_SCHOOL(u(1)), systemmodstamp: null }],
      },
      triggerLog: [{ table: '_trigger_log', action: 'INSERT', state: 'FAILED' }],
      classification: {
        class: 'failed',
        error: {
          code: 'FOREIGN_KEY_NOT_FOUND',
          statusCode: null,
          policy: 'retry-after-parent',
          value: u(1),
          field: 'EditorUUID__c',
          object: 'Editor__c',
          fields: [],
        },
        parent: null,
        nextStep: { action: 'reinsert' },
      },
      journal: [],
      parents: [
        { entity: 'school', key: u(1), state: 'ready', blocks: false, cut: null, parents: [] },
        { entity: 'contact', key: u(101), state: 'ready', blocks: false },
      ],
      blockedBy: [],
      attempts: null,
    });
    expect(doc.triggerLog[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('fits a terminal of 80 columns, the verdict and the next step first', async () => {
    for (const key of ['1', '8']) {
      const result = await why(['role', key], { COLUMNS: '80' });
      if (process.env.SFSYNC_SHOW_OUTPUT) console.log(result.stdout);
      expect(result.code).toBe(1);
      const wide = result.stdout.split('\n').filter((line) => [...line].length > 80);
      expect(wide).toEqual([]);
    }
    const failed = await why(['role', '1'], { COLUMNS: '80' });
    expect(failed.stdout.split('\n').slice(0, 2)).toEqual([
      'role 1: failed',
      `FAILED: Foreign key external ID: ${u(1)} not found`,
    ]);
    expect(failed.stdout).toContain('error: FOREIGN_KEY_NOT_FOUND, policy retry-after-parent');
    expect(failed.stdout).toContain('next step: reinsert — FOREIGN_KEY_NOT_FOUND');
    expect(failed.stdout).toMatch(/│ _hc_lastop +│ +│ FAILED +│/);
    expect(failed.stdout).toContain('trigger log (1 entry):');
    expect(failed.stdout).toMatch(
      /│ \d+ +│ INSERT +│ [^│]+│ Foreign key[^│]+│\n│ live +│ FAILED +│/,
    );
    expect(failed.stdout).toContain('journal: sfsync has not changed this record');

    const blocked = await why(['role', '8'], { COLUMNS: '80' });
    expect(blocked.stdout.split('\n')[0]).toBe('role 8: missing_parent');
    expect(blocked.stdout).toContain('next step: defer');
    expect(blocked.stdout).toMatch(/start with: school\s+00000000-0000-4000-8000-000000000008/);
    expect(blocked.stdout).toMatch(/│ school +│ 00000000-0000-4000-8000- +│ failed +│ blocks +│/);
    expect(blocked.stdout).toContain(
      'mirror: no row of contact_editor_affiliation__c has this key',
    );
  });

  it('exits 0 for a record in sync', async () => {
    const result = await why(['school', u(1)]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`school ${u(1)}: ok`);
  });

  it('says in one line that a key is on neither side, and exits 1', async () => {
    const result = await why(['role', '999']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'role 999: neither the source (roles) nor the mirror (contact_editor_affiliation__c) has ' +
        'this key\n',
    );
  });

  it('exits 2 for an unknown entity, naming the nearest, and for a missing key', async () => {
    const unknown = await why(['rol', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no entity rol in the config — did you mean "role"?');
    const missing = await why(['role']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'key'");
  });

  it('exits 3 when a database cannot be reached', async () => {
    const result = await why(['role', '1'], {
      SALESFORCE_CONNECT_DB: 'postgres://nobody@127.0.0.1:1/nowhere',
    });
    expect(result.code).toBe(3);
  });
});
