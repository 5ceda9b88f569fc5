import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import type { CliContext } from '../../src/cli/context.js';
import { ERROR_TAXONOMY } from '../../src/core/connect/error-taxonomy.js';
import { parseHcError } from '../../src/core/connect/hc-error.js';
import { runSim } from '../../src/ops/sim.js';
import { SIM_FAULT_TEXTS, SIM_VALIDATION_TEXT } from '../../src/sim/fault-texts.js';
import { dataFixFault, type SimFaults, terminalFault } from '../../src/sim/faults.js';
import { ConnectSimulator } from '../../src/sim/simulator.js';
import { commandNamed } from '../support/cli-usage.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
const config = () => fixtureConfig(db);
const TABLE = 'editor__c';
const LOCK = SIM_FAULT_TEXTS.UNABLE_TO_LOCK_ROW;
const LIMIT = SIM_FAULT_TEXTS.REQUEST_LIMIT_EXCEEDED;
const opened: ConnectSimulator[] = [];

async function simWith(seed: number, faults?: SimFaults, failRate = 0) {
  const sim = await ConnectSimulator.open(config(), config().mirror, {
    failRate,
    seed,
    latencyMs: 0,
    batchSize: 5,
    ...(faults ? { faults } : {}),
  });
  opened.push(sim);
  return sim;
}

const insert = (key: string, name: string) =>
  db.mirror(`INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, $2)`, [key, name]);
const remove = (key: string) =>
  db.mirror(`DELETE FROM salesforce.editor__c WHERE editoruuid__c = $1`, [key]);

async function rowOf(key: string) {
  const { rows } = await db.mirror(
    `SELECT id, sfid, _hc_lastop, _hc_err FROM salesforce.editor__c WHERE editoruuid__c = $1`,
    [key],
  );
  return rows[0];
}

/** Each row's _hc_err, in the order of `keys`. */
async function errorsOf(keys: string[]): Promise<(string | null)[]> {
  const { rows } = await db.mirror(
    `SELECT _hc_err FROM salesforce.editor__c WHERE editoruuid__c = ANY($1) ORDER BY editoruuid__c`,
    [keys],
  );
  expect(rows).toHaveLength(keys.length);
  return rows.map((r) => r._hc_err);
}

/** The trigger-log history of a record, oldest first, as action:state. */
async function historyOf(recordId: number) {
  const { rows } = await db.mirror(
    `SELECT action, state FROM salesforce._trigger_log_archive
      WHERE table_name = $1 AND record_id = $2 ORDER BY id`,
    [TABLE, recordId],
  );
  return rows.map((r) => `${r.action}:${r.state}`);
}

/** An editor__c row as to_jsonb gives it, but every column null save the key and the name. */
let blankRow: Record<string, unknown>;

beforeAll(async () => {
  const { rows } = await db.mirror(
    `SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'salesforce' AND table_name = $1`,
    [TABLE],
  );
  blankRow = Object.fromEntries(rows.map((r) => [r.column_name, null]));
});
afterAll(async () => {
  for (const sim of opened) await sim.close();
});

describe('the Connect simulator with faults', () => {
  // Outcomes and stats of this queue with seed 99, measured before faults existed.
  const BEFORE = [
    'entity is deleted',
    'SYNCED',
    'SYNCED',
    'entity is deleted',
    LOCK,
    'entity is deleted',
    LOCK,
    'entity is deleted',
    LOCK,
    'entity is deleted',
    LOCK,
    'SYNCED',
    'SYNCED',
    'entity is deleted',
    'SYNCED',
    'SYNCED',
  ];

  it.each([
    ['absent', 0, undefined],
    ['all 0', 100, { transient: 0, dataFix: 0, terminal: 0, drop: 0, delay: 0, flip: 0 }],
  ])('replays an old seed as before with faults %s', async (_, offset, faults) => {
    const keys = Array.from({ length: 16 }, (_, i) => u(9000 + offset + i));
    for (const key of keys) await insert(key, 'Old');
    const sim = await ConnectSimulator.open(config(), config().mirror, {
      failRate: 0.5,
      failCodes: ['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED', 'ENTITY_IS_DELETED'],
      seed: 99,
      latencyMs: 0,
      batchSize: 5,
      faults,
    });
    opened.push(sim);
    expect(await sim.drain()).toBe(16);
    const { rows } = await db.mirror(
      `SELECT coalesce(_hc_err, _hc_lastop) AS e FROM salesforce.editor__c
        WHERE editoruuid__c = ANY($1) ORDER BY editoruuid__c`,
      [keys],
    );
    expect(rows.map((r) => r.e)).toEqual(BEFORE);
    expect(sim.stats).toEqual({
      processed: 16,
      succeeded: 6,
      failed: 10,
      ignored: 0,
      faults: { transient: 0, dataFix: 0, terminal: 0, dropped: 0, delayed: 0, flipped: 0 },
    });
    expect(sim.deferred).toBe(0);
  });

  it('transient failures hit each attempt and a later attempt without them succeeds', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => u(100 + i));
    for (const key of keys) await insert(key, 'Busy');
    const busy = await simWith(3, { transient: 1 });
    await busy.drain();
    const errors = await errorsOf(keys);
    // Drawn from both retry-now codes, never anything else.
    expect(new Set(errors)).toEqual(new Set([LOCK, LIMIT]));
    expect(busy.stats.faults.transient).toBe(12);
    expect(busy.stats.failed).toBe(12);
    for (const text of new Set(errors))
      expect(ERROR_TAXONOMY[parseHcError(text as string)!.code].policy).toBe('retry-now');

    // The retry: the row written again (as repair re-inserts it), with the fault gone.
    await remove(keys[0]!);
    await insert(keys[0]!, 'Busy');
    const calm = await simWith(3, { transient: 0 });
    await calm.drain();
    expect(await rowOf(keys[0]!)).toMatchObject({ sfid: expect.any(String), _hc_lastop: 'SYNCED' });
    expect(calm.stats.faults.transient).toBe(0);
  });

  it('transient failures below rate 1 replay alike per seed and spare some writes', async () => {
    const outcomes: string[][] = [];
    for (const round of [0, 1]) {
      const keys = Array.from({ length: 20 }, (_, i) => u(200 + round * 100 + i));
      for (const key of keys) await insert(key, 'Flaky');
      const sim = await simWith(11, { transient: 0.5 });
      await sim.drain();
      outcomes.push((await errorsOf(keys)).map((e) => e ?? 'ok'));
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain('ok');
    expect(outcomes[0]!.some((e) => e === LOCK || e === LIMIT)).toBe(true);
  });

  it('data-fix failures recur for the same values and stop once the values change', async () => {
    const key = u(500);
    const seed = 5;
    const rate = 0.5;
    const values = (name: string) => ({ ...blankRow, editoruuid__c: key, name });
    const verdict = (name: string) =>
      dataFixFault({ seed, table: TABLE, externalId: key, values: values(name) }, rate);
    const names = Array.from({ length: 60 }, (_, i) => `School ${i}`);
    const bad = names.find((n) => verdict(n) === 'FIELD_CUSTOM_VALIDATION_EXCEPTION')!;
    const good = names.find((n) => verdict(n) === undefined)!;
    expect(bad).toBeDefined();
    expect(good).toBeDefined();

    const sim = await simWith(seed, { dataFix: rate });
    await insert(key, bad);
    // The pure function, given the row as the simulator reads it, says what the run will do.
    const {
      rows: [read],
    } = await db.mirror(
      `SELECT to_jsonb(t.*) AS row FROM salesforce.editor__c t WHERE editoruuid__c = $1`,
      [key],
    );
    expect(dataFixFault({ seed, table: TABLE, externalId: key, values: read.row }, rate)).toBe(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0) {
        await remove(key);
        await insert(key, bad);
      }
      await sim.drain();
      const row = await rowOf(key);
      expect(row).toMatchObject({ sfid: null, _hc_lastop: 'FAILED', _hc_err: SIM_VALIDATION_TEXT });
      expect(parseHcError(row._hc_err)!.code).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    }
    // The app fixed the data: the row is written again with other values.
    await remove(key);
    await insert(key, good);
    await sim.drain();
    expect(await rowOf(key)).toMatchObject({ sfid: expect.any(String), _hc_lastop: 'SYNCED' });
    expect(sim.stats.faults.dataFix).toBe(2);
  });

  it('data-fix verdicts spread over the rate and the three codes', () => {
    const verdicts = Array.from({ length: 600 }, (_, i) =>
      dataFixFault(
        { seed: 1, table: TABLE, externalId: u(i), values: { ...blankRow, name: 'Same' } },
        0.3,
      ),
    );
    const failing = verdicts.filter((v) => v !== undefined);
    expect(failing.length).toBeGreaterThan(130);
    expect(failing.length).toBeLessThan(230);
    expect(new Set(failing)).toEqual(
      new Set(['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'REQUIRED_FIELD_MISSING', 'STRING_TOO_LONG']),
    );
    // Connect-owned columns do not count: a failure or a read-back leaves the verdict as it was.
    const row = { seed: 1, table: TABLE, externalId: u(0), values: { ...blankRow, name: 'Same' } };
    const synced = { ...row, values: { ...row.values, sfid: 'a0X', _hc_lastop: 'FAILED' } };
    expect(dataFixFault(synced, 0.3)).toBe(verdicts[0]);
    expect(dataFixFault(row, 0)).toBeUndefined();
    expect(dataFixFault(row, 1)).toBeDefined();
  });

  it('terminal failures follow the record whatever its values', async () => {
    const seed = 8;
    const rate = 0.5;
    const keys = Array.from({ length: 40 }, (_, i) => u(600 + i));
    const doomed = keys.find((k) => terminalFault({ seed, table: TABLE, externalId: k }, rate))!;
    const spared = keys.find((k) => !terminalFault({ seed, table: TABLE, externalId: k }, rate))!;
    expect(doomed).toBeDefined();
    expect(spared).toBeDefined();
    const sim = await simWith(seed, { terminal: rate });
    for (const name of ['Deleted', 'Renamed', 'Renamed again']) {
      await remove(doomed);
      await insert(doomed, name);
      await sim.drain();
      expect(await rowOf(doomed)).toMatchObject({
        sfid: null,
        _hc_lastop: 'FAILED',
        _hc_err: SIM_FAULT_TEXTS.ENTITY_IS_DELETED,
      });
    }
    await insert(spared, 'Alive');
    await sim.drain();
    expect(await rowOf(spared)).toMatchObject({ sfid: expect.any(String), _hc_lastop: 'SYNCED' });
    expect(sim.stats.faults.terminal).toBe(3);
    // Another seed picks other records.
    const perSeed = (s: number) =>
      keys.map((k) => terminalFault({ seed: s, table: TABLE, externalId: k }, rate));
    expect(perSeed(9)).not.toEqual(perSeed(seed));
  });

  it('a dropped write is logged SUCCESS yet never reaches the org', async () => {
    const key = u(700);
    await insert(key, 'Dropped');
    const sim = await simWith(4, { drop: 1 });
    expect(await sim.drain()).toBe(1);
    const row = await rowOf(key);
    expect(row).toMatchObject({ sfid: null, _hc_lastop: 'PENDING', _hc_err: null });
    expect(await historyOf(row.id)).toEqual(['INSERT:SUCCESS']);
    const org = await db.mirror(
      `SELECT count(*)::int AS n FROM sfsync_sim.records WHERE
      external_id = $1`,
      [key],
    );
    expect(org.rows[0].n).toBe(0);
    expect(sim.stats).toMatchObject({ succeeded: 1, failed: 0 });
    expect(sim.stats.faults.dropped).toBe(1);

    // An update of a synced row, dropped: the org keeps the old name, the row stays PENDING.
    const synced = u(701);
    await insert(synced, 'Before');
    await (await simWith(4)).drain();
    await db.mirror(`UPDATE salesforce.editor__c SET name = 'After' WHERE editoruuid__c = $1`, [
      synced,
    ]);
    await sim.drain();
    const updated = await rowOf(synced);
    expect(updated).toMatchObject({ sfid: expect.any(String), _hc_lastop: 'PENDING' });
    const name = await db.mirror(
      `SELECT fields->>'name' AS name FROM sfsync_sim.records WHERE sfid = $1`,
      [updated.sfid],
    );
    expect(name.rows).toEqual([{ name: 'Before' }]);
    expect(await historyOf(updated.id)).toEqual(['INSERT:SUCCESS', 'UPDATE:SUCCESS']);
  });

  it('a delayed entry stays NEW for delayCycles passes, then syncs', async () => {
    const key = u(800);
    const sim = await simWith(6, { delay: 1, delayCycles: 3 });
    await insert(key, 'Late');
    const state = async () =>
      (
        await db.mirror(
          `SELECT state FROM salesforce._trigger_log WHERE table_name = $1 AND record_id = $2`,
          [TABLE, (await rowOf(key)).id],
        )
      ).rows.map((r) => r.state);
    for (let pass = 1; pass <= 3; pass++) {
      expect(await sim.drain()).toBe(0);
      expect(await state()).toEqual(['NEW']);
      expect(await rowOf(key)).toMatchObject({ sfid: null, _hc_lastop: 'PENDING' });
      expect(sim.deferred).toBe(1);
    }
    // Released, not drawn again (at rate 1 a second draw would hold it once more).
    expect(await sim.drain()).toBe(1);
    expect(await state()).toEqual([]);
    expect(await rowOf(key)).toMatchObject({ sfid: expect.any(String), _hc_lastop: 'SYNCED' });
    expect(sim.stats.faults.delayed).toBe(1);
    expect(sim.deferred).toBe(0);
  });

  it('entries behind a delayed one go ahead of it', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => u(850 + i));
    for (const key of keys) await insert(key, 'Queued');
    const sim = await simWith(12, { delay: 0.5, delayCycles: 1 });
    const first = await sim.drain();
    const held = sim.stats.faults.delayed;
    expect(held).toBeGreaterThan(0);
    expect(first).toBe(keys.length - held);
    const waiting = await db.mirror(
      `SELECT count(*)::int AS n FROM salesforce._trigger_log WHERE state = 'NEW'`,
    );
    expect(waiting.rows[0].n).toBe(held);
    expect(await sim.drain()).toBe(held);
    const synced = await db.mirror(
      `SELECT count(*)::int AS n FROM salesforce.editor__c
        WHERE editoruuid__c = ANY($1) AND _hc_lastop = 'SYNCED'`,
      [keys],
    );
    expect(synced.rows[0].n).toBe(keys.length);
  });

  it('a flipped record keeps its sfid while its latest log entry is FAILED', async () => {
    const key = u(900);
    await insert(key, 'Flip');
    const sim = await simWith(2, { flip: 1 });
    await sim.drain();
    const synced = await rowOf(key);
    expect(synced).toMatchObject({ sfid: expect.any(String), _hc_lastop: 'SYNCED' });
    expect(await historyOf(synced.id)).toEqual(['INSERT:SUCCESS']);
    expect(sim.deferred).toBe(1);

    expect(await sim.drain()).toBe(0);
    expect(await rowOf(key)).toEqual({
      id: synced.id,
      sfid: synced.sfid,
      _hc_lastop: 'FAILED',
      _hc_err: LOCK,
    });
    expect(await historyOf(synced.id)).toEqual(['INSERT:SUCCESS', 'UPDATE:FAILED']);
    const latest = await db.mirror(
      `SELECT sfid, sf_message FROM salesforce._trigger_log_archive
        WHERE record_id = $1 AND table_name = $2 ORDER BY id DESC LIMIT 1`,
      [synced.id, TABLE],
    );
    expect(latest.rows).toEqual([{ sfid: synced.sfid, sf_message: LOCK }]);
    expect(sim.stats.faults.flipped).toBe(1);
    expect(sim.deferred).toBe(0);
  });

  it('a flip owed to a row deleted meanwhile is not written', async () => {
    const key = u(950);
    await insert(key, 'Gone');
    const sim = await simWith(2, { flip: 1 });
    await sim.drain();
    const { id } = await rowOf(key);
    await remove(key);
    await sim.drain();
    expect(await historyOf(id)).toEqual(['INSERT:SUCCESS', 'DELETE:SUCCESS']);
    expect(sim.stats.faults.flipped).toBe(0);
  });

  it('runSim passes the faults through', async () => {
    const key = u(960);
    await insert(key, 'Through ops');
    const stats = await runSim(config(), config().mirror, {
      failRate: 0,
      seed: 1,
      latencyMs: 0,
      batchSize: 10,
      faults: { drop: 1 },
      watch: false,
      intervalMs: 1000,
      signal: new AbortController().signal,
    });
    expect(stats.faults.dropped).toBe(1);
    expect(await rowOf(key)).toMatchObject({ sfid: null, _hc_lastop: 'PENDING' });
  });

  it('sfsync sim takes the fault rates from its options', async () => {
    const key = u(970);
    await insert(key, 'Through the CLI');
    let out = '';
    const context = {
      stdout: {
        write: (text: string) => {
          out += text;
          return true;
        },
      },
      stderr: { write: () => true, isTTY: false },
      stdin: process.stdin,
      stdinIsTTY: false,
      argv: [],
      env: {},
      cwd: process.cwd(),
      signal: new AbortController().signal,
      exitCode: 0,
    } as unknown as CliContext;
    // At rate 1 every record is a deleted one.
    await createProgram(context).parseAsync(
      [
        '--quiet',
        'sim',
        '--config',
        FIXTURE_CONFIG,
        '--source-url',
        db.sourceUrl,
        '--mirror-url',
        db.mirrorUrl,
        '--terminal-rate',
        '1',
        '--format',
        'json',
      ],
      { from: 'user' },
    );
    const stats = JSON.parse(out);
    expect(stats).toMatchObject({ processed: 1, failed: 1, faults: { terminal: 1 } });
    expect((await rowOf(key))._hc_err).toBe(SIM_FAULT_TEXTS.ENTITY_IS_DELETED);
  });

  it.each([
    '--transient-rate',
    '--data-fix-rate',
    '--terminal-rate',
    '--drop-rate',
    '--delay-rate',
    '--flip-rate',
  ])('%s takes 0 to 1 and nothing else', (flag) => {
    const option = commandNamed('sim')!.options.find((o) => o.long === flag)!;
    expect(option.defaultValue).toBe(0);
    expect(option.parseArg!('1', undefined)).toBe(1);
    expect(option.parseArg!('0.25', undefined)).toBe(0.25);
    for (const bad of ['1.5', '-0.1', 'often', ''])
      expect(() => option.parseArg!(bad, undefined), bad).toThrow('from 0 to 1');
  });

  it('--delay-cycles defaults to 3', () => {
    const option = commandNamed('sim')!.options.find((o) => o.long === '--delay-cycles')!;
    expect(option.defaultValue).toBe(3);
  });
});
