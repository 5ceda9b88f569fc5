import { sql } from 'kysely';
import type { Config } from '../config/types.js';
import { mirrorValues } from '../core/values/mirror-values.js';
import type { Connection } from '../db/driver/connect.js';
import { sourceRowMapper, sourceRowsQuery } from '../db/audit/source-query.js';
import { writeTransaction } from '../db/driver/transactions.js';
import { insertRow } from '../db/mirror/write-mirror.js';
import { entityTablesOf, type MirrorTable } from '../db/entity-tables.js';
import { seededRandom } from './random.js';

export interface AppWriteStats {
  readonly written: number;
  /** Rows whose job "crashed" before writing: they stay absent. */
  readonly dropped: number;
}

/**
 * Writes every source row to the mirror the way the app's sync jobs do:
 * independently and in parallel, so parents usually — not always — reach the
 * trigger log before their children. A few jobs die before writing anything.
 * Runs in a client session, so Connect's triggers capture every write.
 */
export async function writeLikeTheApp(
  config: Pick<Config, 'entities' | 'graph'>,
  source: Connection,
  mirror: Connection,
  seed: number,
  dropRate = 0.02,
): Promise<AppWriteStats> {
  const random = seededRandom(seed);
  const jobs: { at: number; table: MirrorTable; values: Record<string, unknown> }[] = [];
  for (const entity of config.entities) {
    if (entity.readOnly) continue;
    const level = config.graph.levelOf.get(entity.name)!;
    const toRow = sourceRowMapper(entity);
    const tables = entityTablesOf({ source: source.schema, mirror: mirror.schema }, entity);
    const { rows } = await sourceRowsQuery(tables.source).execute(source.db);
    for (const raw of rows) {
      const row = toRow(raw);
      // Each level's jobs start a little later than its parents', with a lot of overlap.
      if (row)
        jobs.push({
          at: level + random() * 1.6,
          table: tables.mirror,
          values: mirrorValues(entity, row),
        });
    }
  }
  jobs.sort((a, b) => a.at - b.at);
  let written = 0;
  let dropped = 0;
  for (let start = 0; start < jobs.length; start += 250) {
    await writeTransaction(mirror.db, async (trx) => {
      for (const job of jobs.slice(start, start + 250)) {
        if (random() < dropRate) {
          dropped++;
          continue;
        }
        await insertRow(trx, job.table, job.values);
        written++;
      }
    });
  }
  return { written, dropped };
}

/** Contacts arrive from Salesforce, written by Connect (xmlbinary hex): synced, with sfids. */
export async function writeUpstreamContacts(
  hexSession: Connection,
  table: string,
  externalId: string,
  users: readonly string[],
): Promise<void> {
  const sfids = users.map((_, i) => `003${String(i + 1).padStart(12, '0')}AAA`);
  await sql`insert into ${sql.table(`${hexSession.schema}.${table}`)}
                   (${sql.id(externalId)}, sfid, lastname, systemmodstamp)
            select u, s, 'Teacher', now() at time zone 'utc'
              from unnest(${[...users]}::text[], ${sfids}::text[]) as x(u, s)`.execute(
    hexSession.db,
  );
}
