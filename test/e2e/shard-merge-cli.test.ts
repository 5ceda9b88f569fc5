import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

const db = useFixtureDatabases();
const dir = mkdtempSync(join(tmpdir(), 'sfsync-shards-'));
const audit = (...args: string[]) =>
  runCli(['audit', '--config', FIXTURE_CONFIG, ...args], { env: fixtureEnv(db) });
const merge = (...args: string[]) => runCli(['merge', ...args], { env: {} });

/**
 * A report without what differs between two runs of the same audit: when, how fast, how (method,
 * keys read in full), ages.
 */
function findings(json: string) {
  const doc = JSON.parse(json);
  delete doc.startedAt;
  delete doc.finishedAt;
  delete doc.bytesRead;
  for (const entity of doc.entities) {
    delete entity.method;
    delete entity.keysReadInFull;
    entity.oldestUnsyncedAgeSeconds = typeof entity.oldestUnsyncedAgeSeconds;
    for (const m of entity.mismatches) m.ageSeconds = typeof m.ageSeconds;
  }
  return doc;
}

/** `sfsync audit --shard K/3 --format json` for every K, each report in a file. */
async function shardReports(count: number): Promise<string[]> {
  const files: string[] = [];
  for (let k = 1; k <= count; k++) {
    const result = await audit('--shard', `${k}/${count}`, '--format', 'json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).shard).toEqual({ index: k, count });
    files.push(join(dir, `shard-${k}.json`));
    writeFileSync(files.at(-1)!, result.stdout);
  }
  return files;
}

beforeAll(async () => {
  await buildAuditScenario(db);
});

describe('sfsync audit --shard K/N, then sfsync merge', () => {
  it("merges the shards into the whole audit's JSON report; exits as the audit does", async () => {
    const whole = await audit('--format', 'json');
    const files = await shardReports(3);
    const merged = await merge('--format', 'json', ...files);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(whole.code);
    expect(JSON.parse(merged.stdout).shard).toBeNull();
    expect(findings(merged.stdout)).toEqual(findings(whole.stdout));
    // The same with --fail-on, in table form.
    expect((await merge('--fail-on', 'orphan', ...files)).stdout).toMatch(
      /15 mismatches in 6 entities \(/,
    );
    expect((await merge('--fail-on', 'duplicate', ...files)).code).toBe(
      (await audit('--fail-on', 'duplicate')).code,
    );
  });

  it("writes the audit's reports: metrics, HTML, markdown (graph only with a config)", async () => {
    const files = await shardReports(2);
    const [auditMetrics, mergeMetrics, html] = [
      join(dir, 'audit.prom'),
      join(dir, 'merge.prom'),
      join(dir, 'merge.html'),
    ];
    await audit('--metrics', auditMetrics);
    const merged = await merge(
      '--config',
      FIXTURE_CONFIG,
      '--metrics',
      mergeMetrics,
      '--html',
      html,
      '--format',
      'markdown',
      ...files,
    );
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain('### Canonical order');
    // Every count the audit's metrics carry, the merge's carry alike (time and duration aside).
    const counts = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^sfsync_(mismatches|rows)\{/.test(line));
    expect(counts(mergeMetrics)).toEqual(counts(auditMetrics));
    expect(counts(mergeMetrics).length).toBeGreaterThan(10);
    expect(readFileSync(html, 'utf8')).toContain('<section id="graph">');
    // Without a config (none given, none in the working directory): everything but the graph.
    const bare = await runCli(['merge', '--format', 'markdown', '--html', html, ...files], {
      env: {},
      cwd: dir,
    });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toBe('');
    expect(bare.stdout).not.toContain('### Canonical order');
    expect(bare.stdout).toMatch(/15 mismatches/);
    expect(readFileSync(html, 'utf8')).not.toContain('<section id="graph">');
  });

  it('usage errors name shards missing, repeated, of another split, and non-reports', async () => {
    const files = await shardReports(3);
    const missing = await merge(files[0]!, files[2]!);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shard 2\/3 missing/);
    expect((await merge(files[0]!, files[1]!, files[1]!, files[2]!)).stderr).toMatch(
      /shard 2\/3 is given twice/,
    );
    const other = join(dir, 'other.json');
    writeFileSync(other, (await audit('--shard', '1/2', '--format', 'json')).stdout);
    expect((await merge(other, ...files.slice(1))).stderr).toMatch(
      /is shard 2\/3, .* is of 2 shards: not one split/,
    );
    const whole = join(dir, 'whole.json');
    writeFileSync(whole, (await audit('--format', 'json')).stdout);
    expect((await merge(whole)).stderr).toMatch(/is not the report of a sharded audit/);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"tool":"sfsync","command":"repair"}');
    const notReport = await merge(junk);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toMatch(
      /junk\.json is not an sfsync audit report of format 1: command/,
    );
    expect(notReport.stderr).not.toMatch(/at \w+ \(/);
  });

  it('refuses a malformed --shard, and --record with --shard, before connecting', async () => {
    for (const bad of ['3', '0/2', '3/2', 'a/b', '1/0']) {
      const result = await audit('--shard', bad);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--shard/);
    }
    const recorded = await audit('--shard', '1/2', '--record');
    expect(recorded.code).toBe(2);
    expect(recorded.stderr).toMatch(/--record and --fail-on-increase compare whole audits/);
  });

  it('merge --record keeps sharded audits history; --fail-on-increase alerts', async () => {
    const recordMerge = async (...flags: string[]) =>
      runCli(['merge', '--config', FIXTURE_CONFIG, ...flags, ...(await shardReports(2))], {
        env: fixtureEnv(db),
      });
    const history = async () => {
      const result = await runCli(['history', '--config', FIXTURE_CONFIG, '--format', 'json'], {
        env: fixtureEnv(db),
      });
      expect(result.code).toBe(0);
      const entities = JSON.parse(result.stdout).entities as { runs: unknown[] }[];
      return Math.max(0, ...entities.map((e) => e.runs.length));
    };
    const before = await history();

    const first = await recordMerge('--record', '--fail-on-increase');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(
      /no earlier recorded run to compare with; this run is the baseline/,
    );
    expect(await history()).toBe(before + 1);

    // One more source row the mirror lacks: the absent class grows in one shard or the other.
    await db.source(
      `INSERT INTO schools (id, name, website, municipality, country_code)
       VALUES ($1, 'Grown School', 'https://example.org', 'Cambridge', 'gb')`,
      [u(990)],
    );
    const grown = await recordMerge('--fail-on-increase', '--format', 'json');
    expect(grown.code).toBe(1);
    expect(grown.stderr).toBe('');
    // Compared without --record: the history did not move.
    expect(await history()).toBe(before + 1);

    // Without the history's database, --record is refused before any report is read.
    const noConfig = await runCli(['merge', '--record', ...(await shardReports(2))], {
      env: {},
      cwd: dir,
    });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).not.toMatch(/at \w+ \(/);
  });
});
