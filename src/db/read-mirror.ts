import { sql, type RawBuilder } from 'kysely';
import type { Entity } from '../config/types.js';
import type { MirrorRow } from '../core/audit-types.js';

/**
 * An entity's mirror rows that carry an external ID, sorted by it (COLLATE "C",
 * as the source side), each with its newest trigger-log entry when the row is
 * unsynced or FAILED. Rows with a NULL external ID are not ours to match.
 */
export function mirrorRowsQuery(entity: Entity, schema: string, withTriggerLog: boolean): RawBuilder<Record<string, unknown>> {
  const table = entity.mirror.table;
  const ext = sql.ref(`m.${entity.mirror.externalId}`);
  const columns = [
    sql`m.id`, sql`m.sfid`, sql`m._hc_lastop as lastop`, sql`m._hc_err as hc_err`, sql`${ext}::text as ${sql.id('key')}`,
    ...entity.fields.map((f) => sql`${sql.ref(`m.${f.mirrorColumn}`)} as ${sql.id(`f:${f.mirrorColumn}`)}`),
    ...entity.parents.map((p) => sql`${sql.ref(`m.${p.lookup}`)}::text as ${sql.id(`p:${p.entity}`)}`),
  ];
  if (!withTriggerLog) {
    return sql`select ${sql.join(columns)} from ${sql.table(`${schema}.${table}`)} as m
      where ${ext} is not null order by ${ext}::text collate "C", m.id`;
  }
  const entries = (log: string) => sql`
    select l.id, l.created_at, l.state, l.action, l.sf_message from ${sql.table(`${schema}.${log}`)} as l
     where l.table_name = ${table} and l.record_id = m.id and (m.sfid is null or m._hc_lastop = 'FAILED')`;
  return sql`select ${sql.join(columns)},
      log.id as log_id, log.created_at as log_created_at, log.state as log_state,
      log.action as log_action, log.sf_message as log_sf_message
    from ${sql.table(`${schema}.${table}`)} as m
    left join lateral (
      select * from (${entries('_trigger_log')} union all ${entries('_trigger_log_archive')}) as e
       order by e.id desc limit 1
    ) as log on true
    where ${ext} is not null
    order by ${ext}::text collate "C", m.id`;
}

/** Turns rows of mirrorRowsQuery into MirrorRows; the column aliases are worked out once per entity. */
export function mirrorRowMapper(entity: Entity): (row: Record<string, unknown>) => MirrorRow {
  const fieldColumns = entity.fields.map((f) => [f.mirrorColumn, `f:${f.mirrorColumn}`] as const);
  const lookupColumns = entity.parents.map((p) => [p.entity, `p:${p.entity}`] as const);
  return (row) => {
    const fields: Record<string, unknown> = {};
    for (const [column, alias] of fieldColumns) fields[column] = row[alias];
    const lookups: Record<string, string | null> = {};
    for (const [parent, alias] of lookupColumns) lookups[parent] = (row[alias] as string | null) ?? null;
    return {
      id: Number(row.id),
      sfid: (row.sfid as string | null) ?? null,
      lastop: (row.lastop as string | null) ?? null,
      hcErr: (row.hc_err as string | null) ?? null,
      key: row.key as string,
      fields,
      lookups,
      log: row.log_id == null ? null : {
        id: Number(row.log_id),
        createdAt: (row.log_created_at as Date | null) ?? null,
        state: (row.log_state as string | null) ?? null,
        action: (row.log_action as string | null) ?? null,
        sfMessage: (row.log_sf_message as string | null) ?? null,
      },
    };
  };
}
