// npm run bench:why — `sfsync why ENTITY KEY` on a 1M-row entity, against the floor: the same
// record looked up by hand (a fresh connection to each database, the source row by key, the mirror
// row by external ID, its trigger-log entries by record_id), measured in the same run.
// The data is the bench's (bench/load.js) at BENCH_WHY_ROWS rows per entity (default 1,000,000),
// with Connect's logs filled as a month of traffic leaves them: one archived entry per mirror row
// (FAILED for the failed ones) and BENCH_WHY_LIVE_LOG entries in the live log (default 100,000),
// which Connect does not index by record_id. Each figure is the best of REPEAT calls after one
// warm-up; the target (issue 23) is under 1 s per record.
import pg from 'pg';
import { startEmbeddedPostgres } from '../dist/db/server/embedded-postgres.js';
import { withDatabase } from '../dist/db/server/create-databases.js';
import { parseConfig } from '../dist/config/load.js';
import { resolveConfig } from '../dist/config/resolve-url.js';
import { explainRecord } from '../dist/ops/why/why.js';
import { BENCH_ENTITIES, dropDatabase, loadBenchDatabase } from './load.js';

const ROWS = Number(process.env.BENCH_WHY_ROWS ?? 1_000_000);
const LIVE_LOG = Number(process.env.BENCH_WHY_LIVE_LOG ?? 100_000);
const REPEAT = 5;
const TARGET_MS = 1_000;
const NAME = 'bench_why';

const log = (text) => process.stderr.write(`bench:why: ${text}\n`);

const server = await startEmbeddedPostgres();
try {
  const url = withDatabase(server.url, NAME);
  log(`loading ${ROWS.toLocaleString('en')} rows per entity`);
  await loadBenchDatabase(server.url, url, NAME, ROWS);
  log(`filling the trigger logs (archive: one entry per row; live: ${LIVE_LOG})`);
  await fillTriggerLogs(url);
  const config = resolveConfig(
    parseConfig(
      JSON.stringify({
        source: { url: 'env:BENCH_SOURCE', schema: 'public' },
        mirror: { url: 'env:BENCH_MIRROR', schema: 'salesforce' },
        entities: BENCH_ENTITIES,
      }),
      'bench.config.json',
      { sourceUrl: url, mirrorUrl: url },
    ),
    {},
  );
  const rows = [];
  for (const [kind, key] of Object.entries(await sampleKeys(url))) {
    const why = await best(() =>
      explainRecord(config, { entity: 'school_class', key, staleMs: 1_800_000 }),
    );
    const floor = await best(() => lookUpByHand(url, key));
    rows.push({ kind, key, whyMs: why.ms, floorMs: floor.ms, class: why.value.verdict?.class });
  }
  print(rows);
} catch (error) {
  // Logged before the server stops, which would end any open client with an error of its own.
  console.error(error);
  process.exitCode = 1;
} finally {
  await dropDatabase(server.url, NAME).catch(() => undefined);
  await server.stop();
}

/** A FAILED, an absent, a drifted and a synced class, by external ID. */
async function sampleKeys(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const one = async (text) => (await c.query(text)).rows[0].k;
  // One row in 200 is FAILED and one drifted: the middle one of each.
  const middle = Math.floor(ROWS / 400);
  try {
    return {
      failed: await one(`SELECT classroomuuid__c AS k FROM salesforce.classroom__c
                        WHERE _hc_lastop = 'FAILED' ORDER BY id OFFSET ${middle} LIMIT 1`),
      absent: await one(`SELECT md5('c' || ${Math.floor(ROWS / 2) + 1})::uuid::text AS k`),
      drift: await one(`SELECT classroomuuid__c AS k FROM salesforce.classroom__c
                       WHERE classroomtitle__c LIKE 'Renamed %' ORDER BY id
                      OFFSET ${middle} LIMIT 1`),
      ok: await one(`SELECT classroomuuid__c AS k FROM salesforce.classroom__c
                    WHERE _hc_lastop = 'SYNCED' ORDER BY id
                   OFFSET ${Math.floor(ROWS / 3)} LIMIT 1`),
    };
  } finally {
    await c.end();
  }
}

async function fillTriggerLogs(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`
    INSERT INTO salesforce._trigger_log_archive
           (id, created_at, updated_at, processed_at, state, action, table_name, record_id, sfid,
            sf_message)
    SELECT m.id, now() - interval '10 days', now() - interval '10 days',
           now() - interval '10 days', CASE WHEN m.sfid IS NULL THEN 'FAILED' ELSE 'SUCCESS' END,
           'INSERT', 'classroom__c', m.id, m.sfid, m._hc_err
      FROM salesforce.classroom__c m`);
  await c.query(`
    INSERT INTO salesforce._trigger_log
           (created_at, updated_at, processed_at, state, action, table_name, record_id)
    SELECT now() - interval '1 hour', now(), now(), 'SUCCESS', 'UPDATE', 'classroom__c',
           1 + (i * 7919) % ${ROWS}
      FROM generate_series(1, ${LIVE_LOG}) AS i`);
  await c.query('VACUUM (ANALYZE)');
  await c.end();
}

/** What a person would type: both rows by key, then the mirror row's log entries. */
async function lookUpByHand(url, key) {
  const [source, mirror] = [
    new pg.Client({ connectionString: url }),
    new pg.Client({ connectionString: url }),
  ];
  await Promise.all([source.connect(), mirror.connect()]);
  try {
    // By the key's own type, so the primary key's index serves it.
    await source.query('SELECT * FROM public.school_classes WHERE id = $1::uuid', [key]);
    const { rows } = await mirror.query(
      'SELECT * FROM salesforce.classroom__c WHERE classroomuuid__c = $1',
      [key],
    );
    const ids = rows.map((r) => r.id);
    for (const table of ['_trigger_log', '_trigger_log_archive'])
      await mirror.query(
        `SELECT * FROM salesforce.${table} WHERE table_name = 'classroom__c'
            AND record_id = any($1::int[])`,
        [ids],
      );
  } finally {
    await Promise.all([source.end(), mirror.end()]);
  }
}

async function best(run) {
  let value = await run();
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    value = await run();
    ms = Math.min(ms, performance.now() - started);
  }
  return { ms, value };
}

function print(rows) {
  const pad = (text, n) => String(text).padEnd(n);
  console.log(`sfsync why on ${ROWS.toLocaleString('en')} rows per entity, live log ${LIVE_LOG}`);
  console.log(`${pad('record', 8)}${pad('class', 16)}${pad('why ms', 10)}${pad('by hand', 10)}`);
  for (const r of rows)
    console.log(
      `${pad(r.kind, 8)}${pad(r.class, 16)}${pad(r.whyMs.toFixed(0), 10)}` +
        `${pad(r.floorMs.toFixed(0), 10)}${(r.whyMs / r.floorMs).toFixed(1)}×`,
    );
  const worst = Math.max(...rows.map((r) => r.whyMs));
  console.log(`slowest why: ${worst.toFixed(0)} ms (target: under ${TARGET_MS} ms)`);
  if (worst >= TARGET_MS) process.exitCode = 1;
}
