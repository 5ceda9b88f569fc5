import type { FixtureDatabases } from './databases.js';
import { MIRROR_TABLES } from './campaign.js';

/**
 * A digest of everything a read-only command must leave as it was: every
 * mapped mirror table, the trigger log and its archive, the trigger log's
 * sequence, the source's schools, and whether sfsync's own schema exists.
 * Queries run one after another: a pg client is not to be shared by
 * concurrent queries.
 */
export async function fingerprint(db: FixtureDatabases): Promise<Record<string, unknown>> {
  const digest: Record<string, unknown> = {};
  for (const table of [...MIRROR_TABLES, '_trigger_log', '_trigger_log_archive']) {
    digest[table] = (
      await db.mirror(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h
           FROM salesforce.${table} t`,
      )
    ).rows[0].h;
  }
  digest.sequence = (
    await db.mirror(`SELECT last_value FROM salesforce._trigger_log_id_seq`)
  ).rows[0].last_value;
  digest.sfsyncSchema = (
    await db.mirror(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'sfsync'`)
  ).rows[0].n;
  digest.schools = (
    await db.source(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM schools t`,
    )
  ).rows[0].h;
  return digest;
}
