// One measurement of `npm run bench`, in a process of its own so that its peak
// RSS is its own: `node bench/child.js MODE JSON-ARGS` prints one JSON line
// { ms, maxRssMb, bytes, summary }. Modules load before the clock starts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BENCH_ENTITIES } from './load.js';

const [mode, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson ?? '{}');
const { parseConfig } = await import('../dist/config/load.js');
const { resolveConfig } = await import('../dist/config/resolve-url.js');
const { runAudit } = await import('../dist/ops/audit/audit.js');
const { runRepair } = await import('../dist/ops/repair/repair.js');
const { statusCounts } = await import('../dist/core/repair/result.js');
// sfsync's own measurements run with the heap settings its CLI sets (src/cli/heap-tuning.ts).
const { tuneHeap } = await import('../dist/cli/heap-tuning.js');

/**
 * What each entity's two sides hold for the hand-written baselines: key, compared values
 * (normalised as sfsync compares them).
 */
const SIDES = {
  school: {
    source: `SELECT id::text AS k, name AS a, website AS b, municipality AS c,
                    upper(country_code) AS d
               FROM public.schools WHERE rejected_at IS NULL`,
    mirror: `SELECT editoruuid__c AS k, sfid, _hc_lastop AS lastop, name AS a, website__c AS b,
                    town__c AS c, country__c AS d
               FROM salesforce.editor__c WHERE editoruuid__c IS NOT NULL`,
    compare: ['a', 'b', 'c', 'd'],
  },
  school_class: {
    source: `SELECT id::text AS k, name AS a, floor(extract(epoch FROM created_at)) AS b,
                    floor(extract(epoch FROM updated_at)) AS c, school_id::text AS d
               FROM public.school_classes`,
    mirror: `SELECT classroomuuid__c AS k, sfid, _hc_lastop AS lastop, classroomtitle__c AS a,
                    floor(extract(epoch FROM createdat__c)) AS b,
                    floor(extract(epoch FROM updatedat__c)) AS c, editor__r__editoruuid__c AS d
               FROM salesforce.classroom__c WHERE classroomuuid__c IS NOT NULL`,
    compare: ['a', 'b', 'c', 'd'],
  },
};

const CONFIG_TEXT = JSON.stringify({
  source: { url: 'env:BENCH_SOURCE', schema: 'public' },
  mirror: { url: 'env:BENCH_MIRROR', schema: 'salesforce' },
  entities: BENCH_ENTITIES,
});

function config(sourceUrl, mirrorUrl) {
  return resolveConfig(parseConfig(CONFIG_TEXT, 'bench.config.json', { sourceUrl, mirrorUrl }), {});
}

async function client(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}
const socketBytes = (c) => c.connection.stream.bytesRead;

const started = performance.now();
let summary;
let bytes = null;
/** The CLI's own peak, when the measurement ran it in a process of its own. */
let cliRssMb = null;

if (mode === 'audit' || mode === 'backfill') tuneHeap();
if (mode === 'audit') {
  const result = await runAudit(config(args.source, args.mirror), {
    staleMs: 1_800_000,
    method: args.method,
    everyKey: args.everyKey,
    shard: args.shard,
  });
  summary = Object.fromEntries(result.entities.map((e) => [e.name, e.counts]));
  summary.methods = Object.fromEntries(result.entities.map((e) => [e.name, e.method]));
  bytes = result.bytesRead;
} else if (mode === 'cli') {
  // The audit as a user runs it: the CLI in a process of its own, its whole report written out
  // (to /dev/null), its peak RSS reported by a preloaded module as it exits.
  const dir = mkdtempSync(join(tmpdir(), 'sfsync-bench-'));
  const [configFile, rssFile] = [join(dir, 'bench.config.json'), join(dir, 'rss')];
  writeFileSync(configFile, CONFIG_TEXT);
  const cli = fileURLToPath(new URL('../bin/sfsync.js', import.meta.url));
  const peak = fileURLToPath(new URL('peak-rss.cjs', import.meta.url));
  const code = await new Promise((resolve, reject) => {
    const run = spawn(
      process.execPath,
      ['--require', peak, cli, 'audit', '--quiet', '--format', args.format, '--config', configFile],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          BENCH_SOURCE: args.source,
          BENCH_MIRROR: args.mirror,
          BENCH_RSS_FILE: rssFile,
        },
      },
    );
    run.on('error', reject);
    run.on('exit', resolve);
  });
  // 1: mismatches found, as the bench's damaged data has.
  if (code !== 0 && code !== 1) throw new Error(`sfsync audit exited ${code}`);
  cliRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(dir, { recursive: true });
} else if (mode === 'wire') {
  // The floor for any audit across two databases: both sides' mapped rows, sorted by key, streamed
  // at once and thrown away.
  const [s, m] = await Promise.all([client(args.source), client(args.mirror)]);
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  for (const side of Object.values(SIDES)) {
    await Promise.all([
      pipeline(
        s.query(
          pgCopy.to(`COPY (SELECT * FROM (${side.source}) q ORDER BY k COLLATE "C") TO STDOUT`),
        ),
        sink(),
      ),
      pipeline(
        m.query(
          pgCopy.to(`COPY (SELECT * FROM (${side.mirror}) q ORDER BY k COLLATE "C") TO STDOUT`),
        ),
        sink(),
      ),
    ]);
  }
  bytes = socketBytes(s) + socketBytes(m);
  await Promise.all([s.end(), m.end()]);
} else if (mode === 'wire-psql') {
  // The same floor as a C client sees it: psql's \copy of both sides at once, to /dev/null.
  const copy = (url, query) =>
    new Promise((resolve, reject) => {
      const line = `SELECT * FROM (${query}) q ORDER BY k COLLATE "C"`.replace(/\s+/g, ' ');
      const psql = spawn('psql', [url, '-X', '-q', '-c', `\\copy (${line}) TO '/dev/null'`], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      psql.on('error', reject);
      psql.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql: ${code}`))));
    });
  for (const side of Object.values(SIDES))
    await Promise.all([copy(args.source, side.source), copy(args.mirror, side.mirror)]);
} else if (mode === 'sql') {
  // What a careful engineer writes by hand when both schemas share a database: one FULL JOIN per
  // entity counting the classes.
  const c = await client(args.source);
  summary = {};
  for (const [name, side] of Object.entries(SIDES)) {
    const differs = side.compare
      .map((col) => `s.${col}::text IS DISTINCT FROM m.${col}::text`)
      .join(' OR ');
    const { rows } = await c.query(`
      SELECT count(*) FILTER (WHERE m.k IS NULL) AS absent,
             count(*) FILTER (WHERE s.k IS NULL) AS orphan,
             count(*) FILTER (WHERE s.k IS NOT NULL AND m.lastop = 'FAILED') AS failed,
             count(*) FILTER (WHERE s.k IS NOT NULL AND m.sfid IS NULL
                                AND m.lastop IS DISTINCT FROM 'FAILED') AS unsynced,
             count(*) FILTER (WHERE s.k IS NOT NULL AND m.sfid IS NOT NULL
                                AND m.lastop IS DISTINCT FROM 'FAILED' AND (${differs})) AS drift,
             count(*) FILTER (WHERE s.k IS NOT NULL AND m.sfid IS NOT NULL
                                AND m.lastop IS DISTINCT FROM 'FAILED' AND NOT (${differs})) AS ok
        FROM (${side.source}) s FULL JOIN (${side.mirror}) m ON m.k = s.k`);
    summary[name] = Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
  }
  bytes = socketBytes(c);
  await c.end();
} else if (mode === 'naive') {
  // What a script does: both tables whole into memory, compared in Maps.
  const [s, m] = await Promise.all([client(args.source), client(args.mirror)]);
  summary = {};
  for (const [name, side] of Object.entries(SIDES)) {
    const [source, mirror] = await Promise.all([s.query(side.source), m.query(side.mirror)]);
    const byKey = new Map(mirror.rows.map((row) => [row.k, row]));
    const counts = { absent: 0, drift: 0, orphan: 0 };
    for (const row of source.rows) {
      const other = byKey.get(row.k);
      if (!other) counts.absent++;
      else if (
        other.sfid &&
        side.compare.some((col) => String(row[col] ?? '') !== String(other[col] ?? ''))
      )
        counts.drift++;
      byKey.delete(row.k);
    }
    counts.orphan = byKey.size;
    summary[name] = counts;
  }
  bytes = socketBytes(s) + socketBytes(m);
  await Promise.all([s.end(), m.end()]);
} else if (mode === 'per-row') {
  // The script that looks each source row's mirror row up by its key, one query per row.
  const [s, m] = await Promise.all([client(args.source), client(args.mirror)]);
  summary = {};
  for (const [name, side] of Object.entries(SIDES)) {
    const { rows } = await s.query(side.source);
    const counts = { absent: 0, drift: 0 };
    for (const row of rows) {
      const found = (await m.query(`SELECT * FROM (${side.mirror}) m WHERE m.k = $1`, [row.k]))
        .rows[0];
      if (!found) counts.absent++;
      else if (
        found.sfid &&
        side.compare.some((col) => String(row[col] ?? '') !== String(found[col] ?? ''))
      )
        counts.drift++;
    }
    summary[name] = counts;
  }
  bytes = socketBytes(s) + socketBytes(m);
  await Promise.all([s.end(), m.end()]);
} else if (mode === 'backfill') {
  // sfsync backfill of the absent rows, triggers on, journal written: time spent writing (the
  // audits between levels left out).
  let writingSince = null;
  let writingMs = 0;
  // What each kind of mirror statement costs while batches are written (the levels' audits left
  // out): from its start to the next statement's on the same session (a batch's last statement,
  // its commit, also takes the wait for the next batch).
  const statementMs = {};
  const since = new Map();
  const onQuery = (event) => {
    if (event.database !== 'mirror') return;
    const now = performance.now();
    const previous = since.get(event.pid);
    if (previous)
      statementMs[previous.kind] = (statementMs[previous.kind] ?? 0) + now - previous.at;
    if (writingSince === null) since.delete(event.pid);
    else since.set(event.pid, { kind: statementKind(event.sql), at: now });
  };
  const mark = (text) => {
    const now = performance.now();
    if (writingSince !== null) writingMs += now - writingSince;
    writingSince = /: batch \d+\/\d+ \(/.test(text) ? now : null;
    if (writingSince !== null) return;
    // Writing paused (the next level's audit): each session's last statement is timed up to here,
    // not across the pause.
    for (const { kind, at } of since.values())
      statementMs[kind] = (statementMs[kind] ?? 0) + now - at;
    since.clear();
  };
  const result = await runRepair(config(args.source, args.mirror), {
    command: 'backfill',
    dryRun: false,
    strategy: 'reinsert',
    batchSize: 500,
    concurrency: 1,
    staleMs: 1_800_000,
    commandLine: 'bench',
    onProgress: mark,
    onQuery,
  });
  mark('done');
  const written = statusCounts(result.summary).done;
  summary = { written, writingMs, rowsPerSecond: written / (writingMs / 1000), statementMs };
} else if (mode === 'copy') {
  // The floor for writing: the same rows COPYed into the same mirror tables, Connect's triggers on
  // and capturing (xmlbinary base64).
  const [s, m] = await Promise.all([client(args.source), client(args.mirror)]);
  const inserts = {
    school: {
      columns: 'editoruuid__c, name, website__c, town__c, country__c',
      rows: `SELECT id::text, name, website, municipality, upper(country_code)
               FROM public.schools s
              WHERE rejected_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM salesforce.editor__c m
                                 WHERE m.editoruuid__c = s.id::text)`,
      table: 'salesforce.editor__c',
    },
    school_class: {
      columns:
        'classroomuuid__c, classroomtitle__c, createdat__c, updatedat__c, editor__r__editoruuid__c',
      rows: `SELECT id::text, name, created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC',
                    school_id::text
               FROM public.school_classes s
              WHERE NOT EXISTS (SELECT 1 FROM salesforce.classroom__c m
                                 WHERE m.classroomuuid__c = s.id::text)`,
      table: 'salesforce.classroom__c',
    },
  };
  const data = {};
  for (const [name, insert] of Object.entries(inserts)) {
    const chunks = [];
    await pipeline(
      s.query(pgCopy.to(`COPY (${insert.rows}) TO STDOUT`)),
      new Writable({ write: (chunk, _e, done) => done(null, chunks.push(chunk)) }),
    );
    data[name] = chunks;
  }
  const t0 = performance.now();
  let written = 0;
  for (const [name, insert] of Object.entries(inserts)) {
    const stream = m.query(pgCopy.from(`COPY ${insert.table} (${insert.columns}) FROM STDIN`));
    await pipeline(async function* () {
      yield* data[name];
    }, stream);
    written += stream.rowCount;
  }
  const copyMs = performance.now() - t0;
  summary = { written, copyMs, rowsPerSecond: written / (copyMs / 1000) };
  await Promise.all([s.end(), m.end()]);
} else {
  throw new Error(`unknown mode ${mode}`);
}

/** A mirror statement of a backfill by what it does (bench: the per-batch cost of the locks). */
function statementKind(text) {
  if (/pg_locks/.test(text)) return 'lock proof';
  if (/pg_advisory_xact_lock/.test(text)) return 'key locks';
  if (/for update/i.test(text)) return 'row locks';
  if (/^\s*(commit|begin|start transaction|set )/i.test(text)) return 'transaction';
  if (/\bdelete\b/i.test(text)) return 'deletes';
  if (/\binsert into\b/i.test(text)) return 'inserts';
  return 'other';
}

const ms = performance.now() - started;
console.log(
  JSON.stringify({
    ms,
    maxRssMb: cliRssMb ?? process.resourceUsage().maxRSS / 1024,
    bytes,
    summary,
  }),
);
