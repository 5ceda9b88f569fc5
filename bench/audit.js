// npm run bench — how fast and how lean sfsync is, as ratios against baselines
// measured in the same run on the same data (no absolute claims; see
// docs/performance.md). Per size (rows per entity; one parent and one child
// entity, 1% absent, 0.5% FAILED, 0.5% drift) the data sits both in one
// database and in two, and every measurement runs in its own process:
//   audit <method>     sfsync's audit, each method, both layouts
//   audit CLI          `sfsync audit --format json|ndjson` as a job runs it, report to /dev/null:
//                      its peak RSS (mismatches spilled, reports written in pieces)
//   wire limit         both sides' sorted mapped rows COPYed at once and dropped (two databases)
//   hand-written SQL   one FULL JOIN per entity counting the classes (one database)
//   naive script       both tables into Maps
//   per-row lookup     one query per source row (up to 100k rows)
//   backfill / COPY    writing the absent rows with triggers on: sfsync vs COPY, and each kind
//                      of the backfill's mirror statements' share of their time (the locks')
//   new object         backfilling an empty mirror (every row absent): time and peak RSS,
//                      which must not grow with the rows (memory bounded by the batch)
// then the targets of issue 12, each a ratio of two numbers from this run.
// Each measurement follows a CHECKPOINT and is the best of BENCH_REPEAT runs (default 2),
// writes each on a fresh copy; the per-row baseline runs once.
// Results go to stdout and to bench/results/latest.json.
//   BENCH_SIZES=10000,100000 npm run bench     other sizes;  npm run bench -- --large   adds 10M,
//   where only the audits across two databases (library and CLI) and the wire limit run: the rest
//   would take hours and says nothing the smaller sizes do not.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../dist/db/server/embedded-postgres.js';
import { withDatabase } from '../dist/db/server/create-databases.js';
import {
  copyDatabase,
  driftDatabase,
  dropDatabase,
  emptyMirror,
  healDatabase,
  loadBenchDatabase,
} from './load.js';

const large = process.argv.includes('--large');
const sizes = (process.env.BENCH_SIZES ?? `10000,100000,1000000${large ? ',10000000' : ''}`)
  .split(',')
  .map(Number);
const PER_ROW_LIMIT = 100_000;
const SHARD_LIMIT = 100_000;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
const NAIVE_LIMIT = 1_000_000;
/** Past this size (--large) only the audit, the CLI's memory and the wire limit are measured. */
const FULL_LIMIT = 1_000_000;
/** Mirrors in step but for one row in 1,000 or in 100 drifted, spread through the key space. */
const DRIFTS = [
  ['0.1%', 1_000],
  ['1%', 100],
];
/** The drifted mirrors' targets hold from this size: below it every method streams anyway. */
const DRIFT_TARGETS_FROM = 100_000;
/** Issue 24's tighter targets for the join and the writes hold from this size. */
const ISSUE_24_FROM = 100_000;
/** The measurement column's width: the longest name, an auto line with its choice. */
const WIDTH = 56;
/** The JavaScript heap (V8's old space) the new-object backfill gets at every size. */
const NEW_OBJECT_HEAP_MB = 64;
const child = fileURLToPath(new URL('child.js', import.meta.url));
/** The C client's baseline needs psql on the PATH; without it the bench says so and goes on. */
const HAS_PSQL = spawnSync('psql', ['--version']).status === 0;

const server = await startEmbeddedPostgres();
const postgres = await serverSettings();
const results = [];
try {
  for (const n of sizes) {
    const db = (name) => withDatabase(server.url, name);
    const [one, src, mir, healthy] = [
      `bench_one_${n}`,
      `bench_src_${n}`,
      `bench_mir_${n}`,
      `bench_healthy_${n}`,
    ];
    log(`loading ${n.toLocaleString('en')} rows per entity`);
    await loadBenchDatabase(server.url, db(one), one, n);
    await copyDatabase(server.url, one, src);
    await copyDatabase(server.url, one, mir);
    const two = { source: db(src), mirror: db(mir) };
    const same = { source: db(one), mirror: db(one) };
    const row = { n, audits: {}, cli: {} };
    for (const method of ['stream', 'checksum'])
      row.audits[`${method}, two databases`] = await measure('audit', { ...two, method });
    // The CLI as a job runs it, its whole report written: the memory claim of issue 24.
    for (const format of ['json', 'ndjson'])
      row.cli[format] = await measure('cli', { ...two, format });
    if (n > FULL_LIMIT) {
      // --large: what the sizes above show already (writes, baselines, drifted mirrors) takes hours
      // at 10M; the audit's time per row, its memory and the wire limit are what 10M adds.
      row.wire = await measure('wire', two);
      results.push(row);
      for (const name of [one, src, mir]) await dropDatabase(server.url, name);
      continue;
    }
    await copyDatabase(server.url, one, healthy);
    await healDatabase(db(healthy));
    for (const method of ['stream', 'join'])
      row.audits[`${method}, one database`] = await measure('audit', { ...same, method });
    row.audits['auto, two databases, healthy mirror'] = await measure('audit', {
      source: db(src),
      mirror: db(healthy),
    });
    row.audits['checksum, two databases, healthy mirror'] = await measure('audit', {
      source: db(src),
      mirror: db(healthy),
      method: 'checksum',
    });
    for (const [label, every] of DRIFTS) {
      const drifted = `bench_drift${every}_${n}`;
      await copyDatabase(server.url, healthy, drifted);
      await driftDatabase(db(drifted), every);
      for (const method of ['stream', 'checksum', 'auto'])
        row.audits[`${method}, two databases, ${label} drifted`] = await measure('audit', {
          source: db(src),
          mirror: db(drifted),
          method: method === 'auto' ? undefined : method,
        });
      await dropDatabase(server.url, drifted);
    }
    // Two shards, as two runners would audit them (one after the other here): their counts must add
    // up to the whole.
    if (n <= SHARD_LIMIT) {
      row.shards = [];
      for (const index of [1, 2])
        row.shards.push(
          await measure('audit', { ...two, method: 'stream', shard: { index, count: 2 } }, 1),
        );
    }
    row.wire = await measure('wire', two);
    if (HAS_PSQL) row.wirePsql = await measure('wire-psql', two);
    row.sql = await measure('sql', same);
    if (n <= NAIVE_LIMIT) row.naive = await measure('naive', two);
    // Once: its minute-long run is the slowest baseline, and a second run could only make it look
    // faster.
    if (n <= PER_ROW_LIMIT) row.perRow = await measure('per-row', two, 1);
    // Writes on fresh copies: every run starts from the same damaged mirror.
    const fresh = () => copyDatabase(server.url, one, `bench_write_${n}`);
    row.backfill = await measure(
      'backfill',
      { source: db(`bench_write_${n}`), mirror: db(`bench_write_${n}`) },
      REPEAT,
      fresh,
    );
    row.copy = await measure(
      'copy',
      { source: db(`bench_write_${n}`), mirror: db(`bench_write_${n}`) },
      REPEAT,
      fresh,
    );
    // A new object: every row absent (the children wait for their parents' sfids), on a JavaScript
    // heap of NEW_OBJECT_HEAP_MB whatever the size: the claim is that it fits. Once: at 1M it is
    // the longest measurement.
    const empty = () =>
      copyDatabase(server.url, one, `bench_write_${n}`).then(() =>
        emptyMirror(db(`bench_write_${n}`)),
      );
    const heap = [`--max-old-space-size=${NEW_OBJECT_HEAP_MB}`];
    row.newObject = await measure(
      'backfill',
      { source: db(`bench_write_${n}`), mirror: db(`bench_write_${n}`) },
      1,
      empty,
      heap,
    );
    checkAgreement(row);
    results.push(row);
    for (const name of [one, src, mir, healthy, `bench_write_${n}`])
      await dropDatabase(server.url, name);
  }
} catch (error) {
  // Logged before the server stops, which would end any open client with an error of its own.
  console.error(error);
  process.exitCode = 1;
} finally {
  await server.stop();
}
if (process.exitCode) process.exit();

const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres,
  },
  sizes: results,
  targets: targets(results),
};
mkdirSync(fileURLToPath(new URL('results/', import.meta.url)), { recursive: true });
writeFileSync(
  fileURLToPath(new URL('results/latest.json', import.meta.url)),
  `${JSON.stringify(report, null, 2)}\n`,
);
print(report);

function log(text) {
  process.stderr.write(`bench: ${text}\n`);
}

/**
 * One measurement in a process of its own, after `before` (a fresh copy for
 * writes) and a CHECKPOINT (so that none pays for the dirty pages of the one
 * before), the best of `repeat` runs: the machine's noise only ever adds time.
 * Best is the fewest milliseconds, or for writes the most rows per second.
 */
async function measure(
  mode,
  args,
  repeat = REPEAT,
  before = async () => undefined,
  nodeFlags = [],
) {
  const score = (m) => (m.summary?.rowsPerSecond === undefined ? m.ms : -m.summary.rowsPerSecond);
  let best;
  for (let run = 0; run < repeat; run++) {
    const shard = args.shard ? ` shard ${args.shard.index}/${args.shard.count}` : '';
    const attempt = repeat > 1 ? ` (${run + 1}/${repeat})` : '';
    log(`${mode} ${args.method ?? ''}${shard}${attempt}`);
    await before();
    await checkpoint();
    const result = spawnSync(process.execPath, [...nodeFlags, child, mode, JSON.stringify(args)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) throw new Error(`${mode} failed: ${result.stderr}`);
    const measured = JSON.parse(result.stdout.trim().split('\n').at(-1));
    if (!best || score(measured) < score(best)) best = measured;
  }
  return best;
}

/** The server's version and the settings that move the figures, published with them. */
async function serverSettings() {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const { rows } = await admin.query(
    `SELECT current_setting('server_version') AS version,
            current_setting('shared_buffers') AS shared_buffers,
            current_setting('work_mem') AS work_mem,
            current_setting('max_parallel_workers_per_gather') AS parallel_workers_per_gather,
            current_setting('fsync') AS fsync`,
  );
  await admin.end();
  return rows[0];
}

async function checkpoint() {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CHECKPOINT');
  await admin.end();
}

/**
 * Every audit method must give the same counts, and the hand-written SQL the same
 * absent/orphan/FAILED/drift.
 */
function checkAgreement(row) {
  const damaged = Object.entries(row.audits).filter(
    ([name]) => !name.includes('healthy') && !name.includes('drifted'),
  );
  const counted = (audit) => JSON.stringify([audit.summary.school, audit.summary.school_class]);
  for (const [label] of DRIFTS) {
    const group = Object.entries(row.audits).filter(([name]) =>
      name.endsWith(`, ${label} drifted`),
    );
    if (group.length === 0) continue;
    const [first] = group;
    for (const [name, audit] of group)
      if (counted(audit) !== counted(first[1]))
        throw new Error(`audit ${name} disagrees with ${first[0]}: ${counted(audit)}`);
    if (first[1].summary.school.drift === 0) throw new Error(`${first[0]}: no drift found`);
  }
  const reference =
    JSON.stringify(damaged[0][1].summary.school) +
    JSON.stringify(damaged[0][1].summary.school_class);
  for (const [name, audit] of damaged) {
    const counts =
      JSON.stringify(audit.summary.school) + JSON.stringify(audit.summary.school_class);
    if (counts !== reference) throw new Error(`audit ${name} disagrees: ${counts} vs ${reference}`);
  }
  for (const entity of row.sql ? ['school', 'school_class'] : []) {
    const audit = damaged[0][1].summary[entity];
    const sql = row.sql.summary[entity];
    for (const cls of ['absent', 'orphan', 'failed', 'drift', 'ok']) {
      if (audit[cls] !== sql[cls])
        throw new Error(`${entity} ${cls}: audit ${audit[cls]}, hand-written SQL ${sql[cls]}`);
    }
  }
  if (row.shards) {
    for (const entity of ['school', 'school_class']) {
      const whole = damaged[0][1].summary[entity];
      const added = Object.fromEntries(
        Object.keys(whole).map((cls) => [
          cls,
          row.shards.reduce((sum, shard) => sum + shard.summary[entity][cls], 0),
        ]),
      );
      if (JSON.stringify(added) !== JSON.stringify(whole))
        throw new Error(
          `${entity}: shards add up to ${JSON.stringify(added)}, ` +
            `the whole audit found ${JSON.stringify(whole)}`,
        );
    }
  }
  const healthy = Object.entries(row.audits).filter(([name]) => name.includes('healthy'));
  for (const [name, audit] of healthy) {
    const mismatches = Object.values(audit.summary)
      .filter((c) => typeof c === 'object' && 'ok' in c)
      .reduce((sum, c) => sum + c.ok, 0);
    if (mismatches !== 2 * row.n)
      throw new Error(`audit ${name}: ${mismatches} ok of ${2 * row.n}`);
  }
}

function targets(rows) {
  const at = (n) => rows.find((r) => r.n === n);
  const largest = rows.at(-1);
  const keys = (row) => 2 * row.n;
  const out = [];
  const add = (name, value, limit, better, note) =>
    out.push({
      name,
      value,
      limit,
      better,
      ok: value === null ? null : better === 'below' ? value <= limit : value >= limit,
      note,
    });
  for (const row of rows.filter((r) => r.n <= FULL_LIMIT)) {
    const n = row.n.toLocaleString('en');
    add(
      `${n}: cross-database audit / wire limit`,
      row.audits['stream, two databases'].ms / row.wire.ms,
      1.5,
      'below',
      'stream',
    );
    add(
      `${n}: same-database audit / hand-written SQL`,
      row.audits['join, one database'].ms / row.sql.ms,
      // Issue 24: at 10k the fixed costs (connections, catalogs) are most of either.
      row.n >= ISSUE_24_FROM ? 1.0 : 1.2,
      'below',
      'join',
    );
    add(
      `${n}: checksum bytes on the wire per row, healthy mirror`,
      row.audits['checksum, two databases, healthy mirror'].bytes / keys(row),
      1,
      'below',
      'checksum',
    );
    add(
      `${n}: backfill rows/s / COPY rows/s`,
      row.backfill.summary.rowsPerSecond / row.copy.summary.rowsPerSecond,
      // Issue 12 asked 0.3 at every size, issue 24 0.5 from 100k rows.
      row.n >= ISSUE_24_FROM ? 0.5 : 0.3,
      'above',
      'writes',
    );
  }
  for (const row of rows.filter((r) => r.n >= DRIFT_TARGETS_FROM && r.n <= FULL_LIMIT)) {
    const n = row.n.toLocaleString('en');
    const drifted = (method, label) => row.audits[`${method}, two databases, ${label} drifted`];
    const checksum = (label) => drifted('checksum', label);
    const stream = (label) => drifted('stream', label);
    for (const [name, value, limit] of [
      ['checksum bytes per row, 0.1% drifted', checksum('0.1%').bytes / keys(row), 10],
      ['checksum time / stream time, 0.1% drifted', checksum('0.1%').ms / stream('0.1%').ms, 1.5],
      ['checksum bytes / stream bytes, 1% drifted', checksum('1%').bytes / stream('1%').bytes, 1],
      ['checksum time / stream time, 1% drifted', checksum('1%').ms / stream('1%').ms, 1],
    ])
      add(`${n}: ${name}`, value, limit, 'below', 'checksum');
  }
  for (const row of rows.filter((r) => r.n >= 1_000_000)) {
    // The CLI's whole report, 2% of the rows mismatched: spilled, its memory must not grow with
    // them (issue 24: ≤ 200 MB at 10M, ≤ 150 MB aimed for at 1M).
    for (const format of ['json', 'ndjson'])
      add(
        `${row.n.toLocaleString('en')}: CLI audit peak RSS MB, --format ${format}`,
        row.cli[format].maxRssMb,
        row.n > FULL_LIMIT ? 200 : 150,
        'below',
        'memory',
      );
  }
  const big = at(1_000_000) ?? rows.filter((r) => r.n <= FULL_LIMIT).at(-1);
  // BENCH_SIZES=10000000 alone: only the memory targets above apply.
  if (!big) return out;
  if (big.wirePsql)
    add(
      `${big.n.toLocaleString('en')}: cross-database audit / psql \\copy wire limit`,
      big.audits['stream, two databases'].ms / big.wirePsql.ms,
      1.2,
      'below',
      'stream',
    );
  add(
    `${big.n.toLocaleString('en')}: audit peak RSS MB (largest of the methods)`,
    Math.max(...Object.values(big.audits).map((a) => a.maxRssMb)),
    200,
    'below',
    'memory',
  );
  const small = at(100_000);
  const smallest = rows[0];
  if (smallest && big !== smallest) {
    // Memory bounded by the batch: on the same 64 MB heap, a backfill of 100 times the rows peaks
    // at about the same RSS.
    add(
      `new-object backfill peak RSS, ${big.n.toLocaleString('en')} / ` +
        `${smallest.n.toLocaleString('en')} rows (${NEW_OBJECT_HEAP_MB} MB heap)`,
      big.newObject.maxRssMb / smallest.newObject.maxRssMb,
      1.25,
      'below',
      'memory',
    );
  }
  const perRow = (row) => row.audits['stream, two databases'].ms / row.n;
  if (small && big !== small)
    add(
      `time per row, ${big.n.toLocaleString('en')} / 100,000`,
      perRow(big) / perRow(small),
      1.25,
      'below',
      'linear',
    );
  if (largest !== big && largest.n > big.n)
    add(
      `time per row, ${largest.n.toLocaleString('en')} / ${big.n.toLocaleString('en')}`,
      perRow(largest) / perRow(big),
      1.1,
      'below',
      'linear',
    );
  if (small?.perRow)
    add(
      '100,000: per-row lookup / audit (speed-up)',
      small.perRow.ms / small.audits['stream, two databases'].ms,
      100,
      'above',
      'per-row',
    );
  return out;
}

/** Each kind of mirror statement's share of the time they took, largest first. */
function statementShares(statementMs) {
  const total = Object.values(statementMs).reduce((sum, ms) => sum + ms, 0);
  return Object.entries(statementMs)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, ms]) => `${kind} ${((100 * ms) / total).toFixed(1)}%`)
    .join(', ');
}

function print(report) {
  const fmt = (x, digits = 0) =>
    x === null || x === undefined
      ? '—'
      : Number(x).toLocaleString('en', {
          maximumFractionDigits: digits,
          minimumFractionDigits: digits,
        });
  const lines = [];
  const pgs = report.machine.postgres;
  lines.push(
    `sfsync bench, ${report.date.slice(0, 10)}, ${report.machine.cpus} cores, ` +
      `${report.machine.memoryGb} GB, Node ${report.machine.node}`,
    `${report.machine.cpuModel}, ${report.machine.os}; PostgreSQL ${pgs.version}, embedded: ` +
      `one server holds every database (loopback), fsync ${pgs.fsync}, shared_buffers ` +
      `${pgs.shared_buffers}, work_mem ${pgs.work_mem}, ` +
      `${pgs.parallel_workers_per_gather} parallel workers per gather`,
  );
  for (const row of report.sizes) {
    lines.push(
      '',
      `${row.n.toLocaleString('en')} rows per entity ` +
        '(2 entities; 1% absent, 0.5% FAILED, 0.5% drift)',
    );
    const header = `${'measurement'.padEnd(WIDTH)} ${'ms'.padStart(9)}`;
    lines.push(`${header} ${'peak RSS MB'.padStart(12)} ${'bytes/row'.padStart(10)}`);
    const line = (name, m) => {
      const perRow = m.bytes === null ? '—' : fmt(m.bytes / (2 * row.n), 2);
      const columns = `${fmt(m.ms).padStart(9)} ${fmt(m.maxRssMb).padStart(12)}`;
      lines.push(`${name.padEnd(WIDTH)} ${columns} ${perRow.padStart(10)}`);
    };
    for (const [name, audit] of Object.entries(row.audits)) {
      // What auto chose, when it chose one method for both entities.
      const chosen = new Set(Object.values(audit.summary.methods));
      const auto = name.startsWith('auto') && chosen.size === 1 ? ` → ${[...chosen][0]}` : '';
      line(`audit ${name}${auto}`, audit);
    }
    for (const [format, cli] of Object.entries(row.cli))
      line(`audit CLI --format ${format}, two databases`, cli);
    line('wire limit (two databases)', row.wire);
    if (row.n > FULL_LIMIT) {
      lines.push('(--large: the other measurements run up to 1,000,000 rows)');
      continue;
    }
    if (row.wirePsql) line('wire limit, psql \\copy (C client)', row.wirePsql);
    else lines.push('wire limit, psql \\copy (C client): skipped, no psql on the PATH');
    line('hand-written SQL (one database)', row.sql);
    if (row.naive) line('naive script (both tables into Maps)', row.naive);
    if (row.perRow) line('per-row lookup', row.perRow);
    for (const [i, shard] of (row.shards ?? []).entries())
      line(`audit stream, two databases, shard ${i + 1}/2`, shard);
    const { backfill, copy, newObject } = row;
    lines.push(
      `writes: backfill ${fmt(backfill.summary.rowsPerSecond)} rows/s ` +
        `(${backfill.summary.written} rows), ` +
        `COPY ${fmt(copy.summary.rowsPerSecond)} rows/s (${copy.summary.written} rows)`,
    );
    if (backfill.summary.statementMs)
      lines.push(
        `  backfill's mirror statements: ${statementShares(backfill.summary.statementMs)}`,
      );
    lines.push(
      `new object: backfill of ${fmt(newObject.summary.written)} rows ` +
        `on a ${NEW_OBJECT_HEAP_MB} MB heap, ${fmt(newObject.ms / 1000, 1)} s in all, ` +
        `${fmt(newObject.summary.rowsPerSecond)} rows/s writing, ` +
        `peak RSS ${fmt(newObject.maxRssMb)} MB`,
    );
  }
  lines.push('', 'targets (each a ratio of two measurements above)');
  for (const t of report.targets)
    lines.push(
      `${t.ok ? 'ok  ' : 'MISS'} ${t.name.padEnd(58)} ${fmt(t.value, 2).padStart(8)}  ` +
        `(${t.better === 'below' ? '≤' : '≥'} ${t.limit})`,
    );
  console.log(lines.join('\n'));
}
