import { beforeAll, describe, expect, it } from 'vitest';
import { renderAuditJson, renderAuditTable } from '../../src/render/audit.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { fakeSfid } from '../support/connect-actor.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { fixtureConfig, configFrom } from '../support/configs.js';

/**
 * Data as production has it at its worst: odd keys, garbage errors, states nobody documented, any
 * time zone.
 */
const db = useFixtureDatabases();
const HOUR = 60 * 60_000;
const oddConfig = () =>
  configFrom(
    {
      source: {},
      mirror: {},
      entities: [
        {
          name: 'odd',
          source: { table: 'odd', key: 'k' },
          mirror: { table: 'odd__c', externalId: 'ext__c' },
          fields: { name: 'name' },
        },
      ],
    },
    db,
  );

const audit = async () => (await runAudit(oddConfig(), { staleMs: HOUR })).entities[0]!;
const classOf = async () =>
  Object.fromEntries([...(await audit()).mismatches].map((m) => [m.key, m.class]));

beforeAll(async () => {
  await db.source(`CREATE TABLE odd (k text, name text)`);
  await db.mirror(`CREATE TABLE salesforce.odd__c (id serial PRIMARY KEY, sfid varchar(18) UNIQUE,
    ext__c varchar(255), name varchar(80),
    _hc_lastop varchar(32), _hc_err text, systemmodstamp timestamp, isdeleted boolean)`);
});

const source = (k: string | null, name = 'n') =>
  db.source(`INSERT INTO odd (k, name) VALUES ($1, $2)`, [k, name]);
const mirror = (
  ext: string,
  values: { sfid?: string | null; lastop?: string | null; err?: string | null; name?: string } = {},
) =>
  db.asConnect(
    `INSERT INTO salesforce.odd__c (ext__c, name, sfid, _hc_lastop, _hc_err)
      VALUES ($1, $2, $3, $4, $5)`,
    [
      ext,
      values.name ?? 'n',
      values.sfid === undefined ? fakeSfid() : values.sfid,
      values.lastop === undefined ? 'SYNCED' : values.lastop,
      values.err ?? null,
    ],
  );

describe('odd keys', () => {
  it('matches keys as bytes, like Salesforce: case, spaces, NFC/NFD, emoji, newlines', async () => {
    const keys = [
      'ABC',
      'k ',
      '\u00e9',
      '😀',
      'a\nb',
      'x'.repeat(255),
      '10',
      '9',
      '\u0000'.replace('\u0000', 'z'),
    ];
    for (const k of keys) await source(k);
    await source(null);
    await source('dup');
    await source('dup');
    for (const ext of ['abc', 'k', 'e\u0301', '😀', 'a\nb', 'x'.repeat(255), '10', '9', 'z'])
      await mirror(ext);
    expect(await classOf()).toEqual({
      ABC: 'absent',
      abc: 'orphan',
      'k ': 'absent',
      k: 'orphan',
      '\u00e9': 'absent',
      'e\u0301': 'orphan',
      dup: 'source_duplicate',
    });
    expect((await audit()).sourceRowsWithoutKey).toBe(1);
  });
});

describe('garbage in _hc_err and _hc_lastop', () => {
  it('classifies every row, renders table and JSON, the JSON keeping the full text', async () => {
    const megabyte = `INVALID_FIELD:${'Foreign key external ID: x '.repeat(40_000)}`;
    const garbage = Array.from({ length: 5_000 }, (_, i) =>
      String.fromCharCode(1 + ((i * 7919) % 0xd7ff)),
    ).join('');
    const cases: [string, Parameters<typeof mirror>[1]][] = [
      ['g1', { sfid: null, lastop: 'FAILED', err: megabyte }],
      ['g2', { sfid: null, lastop: 'FAILED', err: garbage }],
      ['g3', { sfid: null, lastop: 'FAILED', err: '{"errors": [[[[{' }],
      ['g4', { sfid: null, lastop: 'FAILED', err: `${'['.repeat(50_000)}${']'.repeat(50_000)}` }],
      ['g5', { sfid: null, lastop: 'FAILED', err: '42' }],
      ['g6', { sfid: null, lastop: 'FAILED', err: '\u001b]0;pwned\u0007\u202Eevil' }],
      ['g7', { sfid: null, lastop: 'WEIRD_NEW_STATE' }],
      ['g8', { lastop: 'WEIRD_NEW_STATE', name: 'other' }],
      ['g9', { lastop: null }],
    ];
    for (const [key, values] of cases) {
      await source(key);
      await mirror(key, values);
    }
    const result = await runAudit(oddConfig(), { staleMs: HOUR });
    const byKey = new Map([...result.entities[0]!.mismatches].map((m) => [m.key, m]));
    for (const key of ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'])
      expect(byKey.get(key)).toMatchObject({ class: 'failed', repairable: false });
    expect(byKey.get('g1')!.mirror!.hcErr).toBe(megabyte);
    // An unsynced row in a state nobody documented, with no trigger-log entry: stuck, saying so.
    expect(byKey.get('g7')).toMatchObject({
      class: 'stuck',
      reason: expect.stringContaining('last op WEIRD_NEW_STATE'),
    });
    expect(byKey.get('g8')).toMatchObject({ class: 'drift' });
    expect(byKey.has('g9')).toBe(false);
    const table = renderAuditTable(result, 50, 140);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them.
    expect(table).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(table.length).toBeLessThan(60_000);
    expect(
      JSON.parse(renderAuditJson(result)).entities[0].mismatches.find(
        (m: { key: string }) => m.key === 'g1',
      ).mirror.hcErr,
    ).toBe(megabyte);
  });
});

describe('time zones', () => {
  it('gives the same audit whatever time zone the sessions and the process run in', async () => {
    await buildAuditScenario(db);
    const config = () => fixtureConfig(db);
    const strip = (r: Awaited<ReturnType<typeof runAudit>>) =>
      JSON.stringify(
        r.entities.map((e) => ({
          ...e,
          mismatches: [...e.mismatches].map((m) => ({
            ...m,
            ageSeconds: null,
            reason: m.reason.replace(/\d+[smhd] after/, ''),
          })),
        })),
      );
    const utc = strip(await runAudit(config(), { staleMs: HOUR }));
    const names = {
      source: new URL(db.sourceUrl).pathname.slice(1),
      mirror: new URL(db.mirrorUrl).pathname.slice(1),
    };
    await db.source(`ALTER DATABASE ${names.source} SET timezone = 'America/St_Johns'`);
    await db.mirror(`ALTER DATABASE ${names.mirror} SET timezone = 'Pacific/Chatham'`);
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Kathmandu';
    try {
      expect(strip(await runAudit(config(), { staleMs: HOUR }))).toBe(utc);
    } finally {
      process.env.TZ = tz;
      await db.source(`ALTER DATABASE ${names.source} RESET timezone`);
      await db.mirror(`ALTER DATABASE ${names.mirror} RESET timezone`);
    }
  });
});
