import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';
import { runSqlFile } from '../../src/db/driver/run-sql-file.js';
import { CONNECT_RUNTIME_SQL } from '../support/paths.js';
import type { AuditResult } from '../../src/core/audit/result.js';
import { runAudit, type AuditOptions } from '../../src/ops/audit/audit.js';
import { DatabaseError } from '../../src/errors.js';
import type { QueryEvent } from '../../src/db/driver/pool-adapter.js';
import { mergeAudits } from '../../src/core/audit/merge.js';
import { shardOf } from '../../src/db/audit/shard-filter.js';
import type { RunConfig } from '../../src/config/types.js';
import { openDatabases, useFixtureDatabases, type FixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { fixtureConfig } from '../support/configs.js';

const MINUTE = 60_000;
/** Segments, sample and stream threshold scaled down to a 3,000-row table. */
const TUNING = { rowsPerSegment: 100, streamBelowRows: 40, sampleRows: 200 };
const dummy = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const MIRROR_SQL = fileURLToPath(new URL('../../fixtures/editor-api/mirror.sql', import.meta.url));

/**
 * What an audit found, without how it went about it (method, keys read in
 * full) or when: ages grow between two runs, so they count as present or not.
 */
function findings(result: AuditResult) {
  return result.entities.map(
    ({ method: _m, methodChoice: _c, keysReadInFull: _read, ...entity }) => ({
      ...entity,
      oldestUnsyncedAgeSeconds: typeof entity.oldestUnsyncedAgeSeconds,
      mismatches: [...entity.mismatches].map((m) => ({
        ...m,
        ageSeconds: typeof m.ageSeconds,
        reason: m.class === 'stuck' ? m.reason.replace(/\d+/g, 'N') : m.reason,
      })),
    }),
  );
}

async function audit(config: RunConfig, options: Partial<AuditOptions> = {}) {
  return runAudit(config, { staleMs: 30 * MINUTE, ...options });
}

/** `--shard 1/N` … `N/N` audited one after the other, merged as `sfsync merge` merges them. */
async function sharded(config: RunConfig, count: number, options: Partial<AuditOptions> = {}) {
  const shards: AuditResult[] = [];
  for (let index = 1; index <= count; index++)
    shards.push(await audit(config, { ...options, shard: { index, count } }));
  return {
    shards,
    merged: mergeAudits(shards.map((audit, i) => ({ file: `shard-${i + 1}.json`, audit }))),
  };
}

/**
 * Every shard found part of it (none all of it), and the merge found what the whole audit finds.
 */
function expectShardsAddUp(
  { shards, merged }: Awaited<ReturnType<typeof sharded>>,
  reference: AuditResult,
) {
  expect(findings(merged)).toEqual(findings(reference));
  expect(merged.totals).toEqual(reference.totals);
  for (const shard of shards)
    expect(shard.totals.mismatches).toBeLessThan(reference.totals.mismatches);
}

describe('every audit method finds exactly what the row-by-row reference finds', () => {
  describe('source and mirror in two databases', () => {
    const db = useFixtureDatabases();
    beforeAll(() => buildAuditScenario(db));

    it('stream and checksum, on every class of the scenario', async () => {
      const config = fixtureConfig(db);
      const reference = await audit(config, { everyKey: true });
      expect(reference.totals.mismatches).toBeGreaterThan(10);
      for (const method of ['stream', 'checksum'] as const) {
        const result = await audit(config, { method });
        expect(result.entities.filter((e) => !e.readOnly).map((e) => e.method)).toEqual(
          Array(5).fill(method),
        );
        expect(findings(result)).toEqual(findings(reference));
      }
    });

    it('stream and checksum, suspects spilled to a file past 2 in memory', async () => {
      const config = fixtureConfig(db);
      const reference = await audit(config, { everyKey: true });
      for (const method of ['stream', 'checksum'] as const)
        expect(findings(await audit(config, { method, suspectsInMemory: 2 }))).toEqual(
          findings(reference),
        );
    });

    it('reads mismatches and pending keys in full; ok keys proven by digests alone', async () => {
      const result = await audit(fixtureConfig(db), { method: 'stream' });
      const writable = result.entities.filter((e) => !e.readOnly);
      for (const entity of writable)
        expect(entity.keysReadInFull).toBeGreaterThanOrEqual(
          entity.mismatches.length + entity.counts.pending,
        );
      const proven = writable.reduce(
        (sum, e) => sum + e.mismatches.length + e.counts.pending + e.counts.ok - e.keysReadInFull,
        0,
      );
      expect(proven).toBeGreaterThan(0);
    });

    it('--shard: the shards of every method, merged, are the whole audit', async () => {
      const config = fixtureConfig(db);
      const reference = await audit(config, { everyKey: true });
      for (const method of ['stream', 'checksum'] as const)
        expectShardsAddUp(await sharded(config, 3, { method }), reference);
      expectShardsAddUp(await sharded(config, 2, { everyKey: true }), reference);
    });

    it('refuses --method join across two databases, as a usage error', async () => {
      await expect(audit(fixtureConfig(db), { method: 'join' })).rejects.toMatchObject({
        exitCode: 2,
      });
    });
  });

  describe('source and mirror schemas in one database', () => {
    let name: string;
    let db: FixtureDatabases & { close(): Promise<void> };
    beforeAll(async () => {
      const adminUrl = inject('pgAdminUrl');
      name = `sfsync_test_one_${process.pid}_${Date.now()}`;
      await createDatabases(adminUrl, [name], inject('fixtureTemplates').source);
      const url = withDatabase(adminUrl, name);
      await runSqlFile(url, CONNECT_RUNTIME_SQL);
      await runSqlFile(url, MIRROR_SQL);
      db = await openDatabases(url, url);
      await buildAuditScenario(db);
      // An orphan whose key is no uuid but text with quotes, a backslash, a tab and characters
      // beyond the BMP: the join hands suspects' keys over as JSON.
      await db.asConnect(
        `INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, _hc_lastop) VALUES ($1,
          'a01000000000077AAA', 'Odd', 'SYNCED')`,
        ['we"ird\\ key\t✓ 🙂'],
      );
    });
    afterAll(async () => {
      await db?.close();
      const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });

    it('join (chosen by auto), stream and checksum', async () => {
      const config = fixtureConfig(db);
      const reference = await audit(config, { everyKey: true });
      const auto = await audit(config);
      expect(auto.entities.filter((e) => !e.readOnly).map((e) => e.method)).toEqual(
        Array(5).fill('join'),
      );
      expect(findings(auto)).toEqual(findings(reference));
      expect(
        [...auto.entities[0]!.mismatches].find((m) => m.key === 'we"ird\\ key\t✓ 🙂'),
      ).toMatchObject({ class: 'orphan' });
      for (const method of ['stream', 'checksum'] as const)
        expect(findings(await audit(config, { method }))).toEqual(findings(reference));
      expectShardsAddUp(await sharded(config, 3), reference);
    });

    /** An audit during which the drifted school is renamed in the source, once all have begun. */
    async function renamedDuring(options: Partial<AuditOptions>) {
      let wrote = false;
      const readSource: string[] = [];
      try {
        const result = await audit(fixtureConfig(db), {
          ...options,
          onQuery: async (e) => {
            await options.onQuery?.(e);
            if (/"src"\."id" = any/.test(e.sql)) readSource.push(e.database);
            // Once every transaction has begun, before any has read a row: a source session with
            // a snapshot of its own (taken now, not imported) would see this rename in the drifted
            // school's details.
            if (wrote || e.database !== 'mirror' || !/select now\(\) as now/.test(e.sql)) return;
            wrote = true;
            await db.source(`UPDATE schools SET name = 'Renamed During The Audit' WHERE id = $1`, [
              u(3),
            ]);
          },
        });
        expect(wrote).toBe(true);
        expect(JSON.stringify(findings(await audit(fixtureConfig(db))))).toContain(
          'Renamed During The Audit',
        );
        return { result, readSource };
      } finally {
        await db.source(`UPDATE schools SET name = 'Drifted School' WHERE id = $1`, [u(3)]);
      }
    }

    it.each([1, 2])(
      "join: suspects' source rows read on the source's session, one snapshot (--concurrency %i)",
      async (concurrency) => {
        const before = await audit(fixtureConfig(db), { concurrency });
        const { result, readSource } = await renamedDuring({ concurrency });
        expect(result.entities.map((e) => e.method)).toContain('join');
        expect(readSource.length).toBeGreaterThan(0);
        expect(new Set(readSource)).toEqual(new Set(['source']));
        expect(findings(result)).toEqual(findings(before));
      },
    );

    it("join: a source refused the mirror's snapshot: suspects read on the mirror's", async () => {
      const before = await audit(fixtureConfig(db));
      // As a pooler that sent the two sessions to different servers would: the import refused.
      const refuse = (e: QueryEvent) => {
        if (e.database === 'source' && /^set transaction snapshot/.test(e.sql))
          throw new DatabaseError('source database: invalid snapshot identifier', {
            database: 'source',
            sqlstate: '22023',
          });
      };
      const { result, readSource } = await renamedDuring({ onQuery: refuse });
      expect(result.entities.map((e) => e.method)).toContain('join');
      expect(new Set(readSource)).toEqual(new Set(['mirror']));
      expect(findings(result)).toEqual(findings(before));
    });

    it('streaming mismatches: no transaction ends on an idle timeout; imports first', async () => {
      /** Per session, its statements from the transaction's start on, as kinds. */
      const bySession = new Map<string, string[]>();
      const kind = (text: string) =>
        /^start transaction/.test(text)
          ? 'begin'
          : /^set transaction snapshot/.test(text)
            ? 'import'
            : /idle_in_transaction_session_timeout = 0/.test(text)
              ? 'idle'
              : undefined;
      const observe = (e: QueryEvent) => {
        const what = kind(e.sql.trim());
        if (!what) return;
        const key = `${e.database} ${e.pid}`;
        bySession.set(key, [...(bySession.get(key) ?? []), what]);
      };
      await audit(fixtureConfig(db), {
        concurrency: 2,
        onQuery: observe,
        onMismatches: async () => {},
      });
      const sessions = [...bySession].map(([key, kinds]) => [key.split(' ')[0], kinds] as const);
      // Two pairs: the first mirror exports, every source and the second mirror import first.
      expect(
        sessions
          .filter(([side]) => side === 'mirror')
          .map(([, k]) => k)
          .sort(),
      ).toEqual([
        ['begin', 'idle'],
        ['begin', 'import', 'idle'],
      ]);
      expect(sessions.filter(([side]) => side === 'source').map(([, k]) => k)).toEqual([
        ['begin', 'import', 'idle'],
        ['begin', 'import', 'idle'],
      ]);

      bySession.clear();
      await audit(fixtureConfig(db), { concurrency: 2, onQuery: observe });
      expect([...bySession.values()].flat()).not.toContain('idle');
    });

    it('join, more suspects than memory keeps: those entities stream, same result', async () => {
      const config = fixtureConfig(db);
      const reference = await audit(config, { everyKey: true });
      const spilled = await audit(config, { suspectsInMemory: 2 });
      const methods = Object.fromEntries(
        spilled.entities.filter((e) => !e.readOnly).map((e) => [e.name, e.method]),
      );
      // Entities with more than 2 suspects leave the join; the others keep it.
      for (const entity of spilled.entities.filter((e) => !e.readOnly))
        expect(methods[entity.name]).toBe(entity.keysReadInFull > 2 ? 'stream' : 'join');
      expect(Object.values(methods)).toContain('stream');
      expect(findings(spilled)).toEqual(findings(reference));
    });
  });

  describe('many rows, damage scattered: the checksum splits segments level by level', () => {
    const db = useFixtureDatabases();
    beforeAll(async () => {
      await db.source(`
        INSERT INTO schools (id, name, website, municipality, country_code)
        SELECT md5('s' || i)::uuid, 'School ' || i, 'https://s' || i || '.example',
               'Town ' || (i % 7), 'gb'
          FROM generate_series(1, 3000) AS i`);
      await db.asConnect(`
        INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, website__c, town__c,
        country__c, editortype__c, verified__c, _hc_lastop)
        SELECT md5('s' || i)::uuid::text, 'a00' || lpad(i::text, 12, '0') || 'AAA', 'School ' || i,
        'https://s' || i || '.example', 'Town ' || (i % 7),
               'GB', 'for_education', false, 'SYNCED'
          FROM generate_series(1, 3000) AS i WHERE i NOT IN (17, 1400)`);
      // A drift, a FAILED row, an unsynced row with no log left (stuck), an orphan, a duplicate key
      // (its unique index dropped) and a row the source filters out.
      await db.asConnect(
        `UPDATE salesforce.editor__c SET town__c = 'Elsewhere' WHERE editoruuid__c = md5('s' ||
          99)::uuid::text`,
      );
      await db.asConnect(
        `UPDATE salesforce.editor__c SET sfid = NULL, _hc_lastop = 'FAILED', _hc_err =
          'unable to obtain exclusive access to this record' WHERE editoruuid__c = md5('s' ||
          2500)::uuid::text`,
      );
      await db.asConnect(
        `UPDATE salesforce.editor__c SET sfid = NULL, _hc_lastop = 'PENDING' WHERE editoruuid__c =
          md5('s' || 1234)::uuid::text`,
      );
      await db.asConnect(
        `INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, _hc_lastop) VALUES
          ('not-in-the-app', 'a01000000000001AAA', 'Gone', 'SYNCED')`,
      );
      await db.asConnect('DROP INDEX salesforce.hcu_idx_editor__c_editoruuid__c');
      await db.asConnect(`
        INSERT INTO salesforce.editor__c (editoruuid__c, name, website__c, town__c, country__c,
        editortype__c, verified__c, _hc_lastop)
        VALUES (md5('s' || 2999)::uuid::text, 'School 2999', 'https://s2999.example', 'Town 3',
                'GB', 'for_education', false, 'SYNCED')`);
      await db.source(`UPDATE schools SET rejected_at = now() WHERE id = md5('s' || 2000)::uuid`);
      await db.source('ANALYZE');
      await db.mirror('ANALYZE');
    });

    it('agrees with the reference at every depth; most rows compared by segment sums', async () => {
      const config = fixtureConfig(db);
      const only = { entities: ['school'] };
      const reference = await audit(config, { ...only, everyKey: true });
      expect(reference.entities[0]!.counts).toMatchObject({
        ok: 2993,
        absent: 2,
        drift: 1,
        failed: 1,
        stuck: 1,
        duplicate: 1,
        orphan: 2,
      });
      const segmentQueries: string[] = [];
      const checksum = await audit(config, {
        ...only,
        method: 'checksum',
        checksumTuning: TUNING,
        onQuery: (event) => {
          if (event.database === 'mirror' && /as sums/.test(event.sql))
            segmentQueries.push(event.sql);
        },
      });
      expect(findings(checksum)).toEqual(findings(reference));
      // A sample, then segments sized by its estimate; the damaged ones split until few rows are
      // left to stream.
      expect(segmentQueries.length).toBeGreaterThanOrEqual(2);
      expect(checksum.entities[0]!.keysReadInFull).toBeLessThan(40);
      const stream = await audit(config, { ...only, method: 'stream' });
      expect(findings(stream)).toEqual(findings(reference));
      const spilled = await audit(config, {
        ...only,
        method: 'checksum',
        checksumTuning: TUNING,
        suspectsInMemory: 3,
      });
      expect(findings(spilled)).toEqual(findings(reference));
      expect(checksum.bytesRead!).toBeLessThan(stream.bytesRead!);
      expectShardsAddUp(
        await sharded(config, 4, {
          ...only,
          method: 'checksum',
          checksumTuning: TUNING,
        }),
        reference,
      );
    });
  });
});

describe('the shard of a key', () => {
  const db = useFixtureDatabases();

  it('is the same in SQL as the MD5 of its UTF-8 text in Node, for any text', async () => {
    const keys = [
      '',
      'a',
      'abc',
      '00000000-0000-4000-8000-000000000001',
      'école',
      '日本語のキー',
      '🙂 emoji',
      'x'.repeat(300),
    ];
    for (const count of [2, 7, 1024]) {
      const { rows } = await db.source(
        `SELECT ${shardOf(sql`k`, count).compile(dummy).sql} AS shard
           FROM unnest($1::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i`,
        [keys],
      );
      const inNode = keys.map((key) =>
        String(
          BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex').slice(0, 15)}`) %
            BigInt(count),
        ),
      );
      expect(rows.map((r) => r.shard)).toEqual(inNode);
    }
  });
});
