// npm run bench — how fast and how lean `audit` is, as ratios against baselines
// measured in the same run on the same data (no absolute claims):
//   full-join : one hand-written FULL JOIN in the database counting absent/orphan/drift
//               (the fastest possible, but needs both tables in one database and
//               classifies nothing)
//   naive     : what a script would do: SELECT both tables whole, compare in Maps
// and, against the audit itself:
//   reports   : the same audit, then every report a nightly job writes from it
//               (markdown, csv, html, metrics): what --format/--html/--metrics add
// Each measurement runs in its own child process, so peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../dist/db/embedded-postgres.js';
import { withDatabase } from '../dist/db/create-databases.js';
import { runSqlFile } from '../dist/db/run-sql-file.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sizes = (process.env.BENCH_SIZES ?? '50000,200000').split(',').map(Number);

if (process.argv[2] === 'child') {
  await child(process.argv[3], process.argv[4]);
} else if (process.argv[2] === 'render') {
  await renderMany();
} else {
  await main();
}

async function main() {
  const server = await startEmbeddedPostgres();
  try {
    const rows = [];
    for (const n of sizes) {
      const url = withDatabase(server.url, `bench_${n}`);
      await load(server.url, url, n);
      const results = Object.fromEntries(['audit', 'full-join', 'naive', 'reports'].map((mode) => [mode, measure(mode, url)]));
      rows.push({ n, ...results });
    }
    report(rows);
    const render = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'render'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(render.stdout);
  } finally {
    await server.stop();
  }
}

async function load(adminUrl, url, n) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${new URL(url).pathname.slice(1)}`);
  await admin.end();
  await runSqlFile(url, `${root}fixtures/editor-api/source.sql`);
  await runSqlFile(url, `${root}fixtures/editor-api/mirror.sql`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Source: n schools. Mirror, written as Connect would (hex: not captured): every
  // 100th school absent, every 50th drifted, every 200th FAILED without sfid.
  await client.query(`
    INSERT INTO schools (id, name, website, municipality, country_code, user_origin, created_at, updated_at)
    SELECT md5(i::text)::uuid, 'School ' || i, 'https://school' || i || '.example', 'Town ' || (i % 500), 'gb', i % 2, now(), now()
      FROM generate_series(1, ${n}) AS i`);
  await client.query(`SET xmlbinary = hex`);
  await client.query(`
    INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, website__c, town__c, country__c, editortype__c, verified__c, _hc_lastop)
    SELECT md5(i::text)::uuid::text,
           CASE WHEN i % 200 = 50 THEN NULL ELSE 'a00' || lpad(i::text, 12, '0') || 'AAA' END,
           CASE WHEN i % 50 = 0 THEN 'Renamed ' || i ELSE 'School ' || i END,
           'https://school' || i || '.example', 'Town ' || (i % 500), 'GB',
           CASE i % 2 WHEN 0 THEN 'for_education' ELSE 'experience_cs' END, false,
           CASE WHEN i % 200 = 50 THEN 'FAILED' ELSE 'SYNCED' END
      FROM generate_series(1, ${n}) AS i WHERE i % 100 <> 0`);
  // Connect keeps its own _hc_lastop only on UPDATE (the status trigger), so fail rows afterwards.
  await client.query(`UPDATE salesforce.editor__c SET _hc_lastop = 'FAILED', _hc_err = 'unable to obtain exclusive access to this record' WHERE sfid IS NULL`);
  // Set hint bits and statistics now, so no measurement pays for the load.
  await client.query('VACUUM (ANALYZE)');
  await client.end();
}

function measure(mode, url) {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', mode, url], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

async function child(mode, url) {
  // Modules load before the clock starts: the work is measured, not start-up.
  const { loadConfig } = await import('../dist/config/load.js');
  const { resolveConfig } = await import('../dist/config/resolve-url.js');
  const { runAudit } = await import('../dist/ops/audit.js');
  const started = performance.now();
  let summary;
  if (mode === 'audit' || mode === 'reports') {
    const config = resolveConfig(loadConfig({ configPath: `${root}fixtures/editor-api/sfsync.config.json`, sourceUrl: url, mirrorUrl: url }), {});
    const result = await runAudit(config, { entities: ['school'], staleMs: 1_800_000 });
    summary = result.entities[0].counts;
    if (mode === 'reports') {
      const auditMs = performance.now() - started;
      const { renderAuditMarkdown } = await import('../dist/cli/render/audit-markdown.js');
      const { renderAuditCsv } = await import('../dist/cli/render/audit-csv.js');
      const { renderAuditHtml } = await import('../dist/cli/render/audit-html.js');
      const { renderMetrics } = await import('../dist/cli/render/metrics.js');
      const bytes = [
        renderAuditMarkdown(result, config.graph, 20),
        renderAuditCsv(result),
        renderAuditHtml(result, config.graph, null),
        await renderMetrics({ command: 'audit', audit: result, durationSeconds: 1, exitCode: 1, finishedAt: 0 }),
      ].map((text) => text.length);
      const reportsMs = performance.now() - started - auditMs;
      summary = {
        auditMs,
        reportsMs,
        mismatches: result.totals.mismatches,
        markdownBytes: bytes[0],
        csvBytes: bytes[1],
        htmlBytes: bytes[2],
        metricsBytes: bytes[3],
      };
    }
  } else if (mode === 'full-join') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`
      SELECT count(*) FILTER (WHERE m.editoruuid__c IS NULL) AS absent,
             count(*) FILTER (WHERE s.key IS NULL) AS orphan,
             count(*) FILTER (WHERE s.key IS NOT NULL AND m.sfid IS NOT NULL AND m.name IS DISTINCT FROM s.name) AS drift
        FROM (SELECT id::text AS key, name FROM public.schools WHERE rejected_at IS NULL) s
        FULL JOIN salesforce.editor__c m ON m.editoruuid__c = s.key`);
    summary = rows[0];
    await client.end();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const source = await client.query(
      `SELECT id::text AS key, name, website, municipality, upper(country_code) AS country FROM public.schools WHERE rejected_at IS NULL`,
    );
    const mirror = await client.query(`SELECT editoruuid__c AS key, sfid, _hc_lastop, name, website__c, town__c, country__c FROM salesforce.editor__c`);
    const byKey = new Map(mirror.rows.map((row) => [row.key, row]));
    let absent = 0;
    let drift = 0;
    for (const row of source.rows) {
      const m = byKey.get(row.key);
      if (!m) absent++;
      else if (m.name !== row.name || m.town__c !== row.municipality || m.country__c !== row.country) drift++;
      byKey.delete(row.key);
    }
    summary = { absent, drift, orphan: byKey.size };
    await client.end();
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, summary }));
}

function report(rows) {
  const fmt = (x) => x.toFixed(2);
  console.log('audit of one entity (school → editor__c), source and mirror in one database');
  console.log('rows      audit ms  full-join ms  naive ms  audit/full-join  audit/naive  audit RSS MB  naive RSS MB  audit RSS/naive RSS');
  for (const r of rows) {
    console.log(
      [
        String(r.n).padEnd(9),
        fmt(r.audit.ms).padStart(8),
        fmt(r['full-join'].ms).padStart(13),
        fmt(r.naive.ms).padStart(9),
        fmt(r.audit.ms / r['full-join'].ms).padStart(16),
        fmt(r.audit.ms / r.naive.ms).padStart(12),
        fmt(r.audit.maxRssMb).padStart(13),
        fmt(r.naive.maxRssMb).padStart(13),
        fmt(r.audit.maxRssMb / r.naive.maxRssMb).padStart(20),
      ].join(' '),
    );
  }
  if (rows.length > 1) {
    const [a, b] = [rows[0], rows.at(-1)];
    console.log(
      `\nrows ×${fmt(b.n / a.n)}: audit time ×${fmt(b.audit.ms / a.audit.ms)}, audit peak RSS ×${fmt(b.audit.maxRssMb / a.audit.maxRssMb)}; naive peak RSS ×${fmt(b.naive.maxRssMb / a.naive.maxRssMb)}`,
    );
  }
  console.log('\naudit then every report (markdown, csv, html, metrics) from its result:');
  console.log('rows      mismatches  audit ms  reports ms  reports/audit  peak RSS MB (audit alone → with reports)');
  for (const row of rows) {
    const { auditMs, reportsMs, mismatches } = row.reports.summary;
    console.log(
      `${String(row.n).padEnd(9)} ${String(mismatches).padStart(10)}  ${auditMs.toFixed(0).padStart(8)}  ${reportsMs.toFixed(0).padStart(10)}  ${(reportsMs / auditMs).toFixed(3).padStart(13)}  ${row.audit.maxRssMb.toFixed(0)} → ${row.reports.maxRssMb.toFixed(0)}`,
    );
  }
  console.log('reports at the largest size:', JSON.stringify(rows.at(-1).reports.summary));
  console.log('\naudit counts at the largest size:', JSON.stringify(rows.at(-1).audit.summary));
  console.log('full-join counts at the largest size:', JSON.stringify(rows.at(-1)['full-join'].summary));
}

/** Report rendering when mismatches are many (every row FAILED): time per format, and how it grows with 4× the rows. */
async function renderMany() {
  const { renderAuditMarkdown } = await import('../dist/cli/render/audit-markdown.js');
  const { renderAuditCsv } = await import('../dist/cli/render/audit-csv.js');
  const { renderAuditHtml } = await import('../dist/cli/render/audit-html.js');
  const { buildEntityGraph } = await import('../dist/core/graph.js');
  const graph = buildEntityGraph([{ name: 'e', parents: [] }]).graph;
  const times = {};
  for (const n of [50_000, 200_000]) {
    const message = (i) => `Foreign key external ID: p${i} not found for field A__c in entity B__c`;
    const mismatches = Array.from({ length: n }, (_, i) => ({
      key: `k${i}`,
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: true,
      reason: `FAILED: ${message(i)}`,
      hint: 'the parent reached Salesforce after this row',
      error: { message: message(i), field: 'A__c', object: 'B__c', statusCode: null },
      mirror: { id: i, sfid: null, lastop: 'FAILED', hcErr: message(i) },
      rows: null,
      parent: null,
      fields: [],
      ageSeconds: null,
      sourceRows: null,
    }));
    const counts = { ok: 0, pending: 0, absent: 0, missing_parent: 0, failed: n, stuck: 0, drift: 0, duplicate: 0, orphan: 0, source_duplicate: 0 };
    const entity = {
      name: 'e',
      readOnly: false,
      mirrorTable: 't',
      sourceRows: n,
      mirrorRows: n,
      unsyncedRows: n,
      oldestUnsyncedAgeSeconds: 5,
      sourceRowsWithoutKey: 0,
      counts,
      mismatches,
    };
    const result = {
      startedAt: new Date(),
      finishedAt: new Date(),
      order: ['e'],
      entities: [entity],
      totals: { ...counts, sourceRows: n, mirrorRows: n, mismatches: n },
    };
    for (const [format, render] of [
      ['markdown', () => renderAuditMarkdown(result, graph, 20)],
      ['csv', () => renderAuditCsv(result)],
      ['html', () => renderAuditHtml(result, graph, null)],
    ]) {
      const started = performance.now();
      render();
      times[format] = [...(times[format] ?? []), performance.now() - started];
    }
  }
  console.log('\nrendering with every row a mismatch (no database):');
  console.log('format    50,000 ms  200,000 ms  ×rows 4 → ×time');
  for (const [format, [small, large]] of Object.entries(times)) {
    console.log(`${format.padEnd(9)} ${small.toFixed(0).padStart(9)}  ${large.toFixed(0).padStart(10)}  ${(large / small).toFixed(2).padStart(15)}`);
  }
}
