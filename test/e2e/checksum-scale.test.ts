import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { smallConfig } from '../support/config-text.js';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * Production scale for the checksum's split (issue 24): 200,000 rows across two databases with
 * one row in a thousand drifted, spread through the key space as a failed batch of UUID keys is.
 * Segments that agree cost a few bytes, so the audit must stay far under what streaming every
 * row costs (~128 bytes a row), and `auto` must say why it chose as it did.
 */
const ROWS = 200_000;
const db = useFixtureDatabases();
const dir = mkdtempSync(join(tmpdir(), 'sfsync-checksum-scale-'));
const configFile = join(dir, 'sfsync.config.json');
const config = smallConfig();
const [school] = config.entities;
config.entities = [{ ...school, fields: { ...school.fields, town__c: 'municipality' } }];
writeFileSync(configFile, JSON.stringify(config));

async function audit(...args: string[]) {
  const result = await runCli(['audit', '--format', 'json', '--config', configFile, ...args], {
    env: fixtureEnv(db),
    timeoutMs: 240_000,
  });
  const report = JSON.parse(result.stdout);
  const entity = report.entities[0];
  return { result, report, entity, bytesPerRow: report.bytesRead / ROWS };
}

beforeAll(async () => {
  await db.reset();
  await db.source(`
    INSERT INTO schools (id, name, municipality, country_code)
    SELECT md5('s' || i)::uuid, 'School ' || i, 'Town ' || (i % 97), 'gb'
      FROM generate_series(1, ${ROWS}) AS i`);
  await db.asConnect(`
    INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, town__c, country__c, _hc_lastop)
    SELECT md5('s' || i)::uuid::text, 'a00' || lpad(i::text, 12, '0') || 'AAA',
           CASE WHEN i % 1000 = 7 THEN 'Renamed ' || i ELSE 'School ' || i END,
           'Town ' || (i % 97), 'GB', 'SYNCED'
      FROM generate_series(1, ${ROWS}) AS i`);
  await db.source('VACUUM ANALYZE schools');
  await db.asConnect('VACUUM ANALYZE salesforce.editor__c');
}, 120_000);

describe(`checksum on ${ROWS.toLocaleString('en')} rows, 0.1% damaged`, () => {
  it('auto checksums at under 10 bytes a row, finds every drift and says why', {
    timeout: 240_000,
  }, async () => {
    const { result, entity, bytesPerRow } = await audit('--verbose');
    expect(result.code).toBe(1);
    expect(entity.method).toBe('checksum');
    expect(entity.counts).toMatchObject({ ok: ROWS - 200, drift: 200 });
    expect(bytesPerRow).toBeLessThan(10);
    const estimate = entity.methodChoice.estimate;
    expect(estimate.choice).toBe('checksum');
    // 0.1% damaged, estimated from a 10,000-row sample: within a factor of three.
    expect(estimate.damagedShare).toBeGreaterThan(0.0003);
    expect(estimate.damagedShare).toBeLessThan(0.003);
    expect(entity.methodChoice.reason).toMatch(
      /^0\.\d+% of rows estimated damaged from \d+ sampled: checksum ~\d+\.\d bytes\/row/,
    );
    expect(result.stderr).toContain(`school: checksum: ${entity.methodChoice.reason}`);

    // The stream finds the same, at more than ten times the bytes.
    const stream = await audit('--method', 'stream');
    expect(stream.entity.counts).toEqual(entity.counts);
    expect(stream.entity.methodChoice.reason).toBe('asked for with --method');
    expect(stream.bytesPerRow).toBeGreaterThan(bytesPerRow * 10);
  });

  it('damage everywhere: auto streams after the sample, and says so', {
    timeout: 240_000,
  }, async () => {
    await db.asConnect(`UPDATE salesforce.editor__c SET town__c = 'Elsewhere' WHERE id % 3 = 0`);
    const { entity, bytesPerRow } = await audit();
    expect(entity.method).toBe('stream');
    expect(entity.methodChoice.estimate.choice).toBe('stream');
    expect(entity.methodChoice.reason).toMatch(/% of rows estimated damaged from \d+ sampled/);
    expect(entity.counts.drift).toBeGreaterThan(ROWS / 3 - 1_000);
    // Streamed once, plus the sample: no checksum round paid for nothing.
    expect(bytesPerRow).toBeLessThan(200);
  });
});
