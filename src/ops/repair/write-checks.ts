import { CAPTURED_XMLBINARY } from '../../core/connect/heroku-connect.js';
import { grantStatements, quoteIdent, type WriteNeeds } from '../../core/repair/grants.js';
import type { RepairStrategy } from '../../core/repair/plan.js';
import type { SchemaCatalog } from '../../core/schema/catalog.js';
import { missingWritePrivileges } from '../../db/catalog/check-privileges.js';
import type { Connection } from '../../db/driver/connect.js';
import { DatabaseError } from '../../errors.js';
import type { RepairOptions } from './options.js';

/**
 * Refuses a role that lacks a privilege the plan's writes need, before anything is written, with
 * the GRANTs to run.
 */
export async function assertPrivileges(
  mirror: Connection,
  catalog: SchemaCatalog,
  needs: WriteNeeds,
  command: RepairOptions['command'],
): Promise<void> {
  const missing = await missingWritePrivileges(mirror.db, mirror.schema, needs, {
    backfill: command === 'backfill',
  });
  if (missing.length === 0) return;
  const role = catalog.role ?? 'the_role';
  throw new DatabaseError(
    [
      `the mirror database role "${role}" lacks privileges this ${command} needs; ` +
        'nothing was written. As the database owner, run:',
      ...grantStatements(missing, role).map((statement) => `  ${statement}`),
    ].join('\n'),
    { database: 'mirror', sqlstate: '42501' },
  );
}

/**
 * Refuses to write where Connect would not capture the writes, or lacks what the strategy needs.
 */
export function assertWritable(
  mirror: Connection,
  catalog: SchemaCatalog,
  strategy: RepairStrategy,
): void {
  if (catalog.xmlbinaryDenied) {
    const grantee = quoteIdent(catalog.role ?? 'the_role');
    throw new DatabaseError(
      `refusing to write: role "${catalog.role}" may not execute get_xmlbinary(), ` +
        "which Connect's triggers call on every write " +
        '(and sfsync needs to prove its writes are captured): ' +
        `GRANT EXECUTE ON FUNCTION public.get_xmlbinary() TO ${grantee};`,
      { database: 'mirror', sqlstate: '42501' },
    );
  }
  if (catalog.xmlbinary !== undefined && catalog.xmlbinary !== CAPTURED_XMLBINARY) {
    throw new DatabaseError(
      `refusing to write: this session's get_xmlbinary() is '${catalog.xmlbinary}', ` +
        `not '${CAPTURED_XMLBINARY}', ` +
        "so Heroku Connect would never send sfsync's changes to Salesforce",
    );
  }
  if (strategy === 'recapture' && !catalog.functions.has('hc_capture_insert_from_row')) {
    throw new DatabaseError(
      "--strategy recapture needs Heroku Connect's " +
        `${mirror.schema}.hc_capture_insert_from_row(), ` +
        'which this mirror database does not have; use the default strategy (reinsert)',
    );
  }
}
