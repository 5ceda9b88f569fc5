/**
 * Columns Heroku Connect owns on every mirror table. sfsync reads them and never
 * writes them: writing `sfid` or `_hc_lastop` would lie to Connect, and
 * `createddate`/`systemmodstamp` are filled by Salesforce on read-back.
 */
export const CONNECT_OWNED_COLUMNS: readonly string[] = [
  'id',
  'sfid',
  '_hc_lastop',
  '_hc_err',
  'systemmodstamp',
  'createddate',
  'isdeleted',
];

/** The columns an audit needs on every mirror table. */
export const REQUIRED_MIRROR_COLUMNS: readonly string[] = ['id', 'sfid', '_hc_lastop', '_hc_err'];

/**
 * Connect's per-table trigger names: a BEFORE status trigger and an AFTER logger that writes
 * _trigger_log.
 */
export function connectTriggerNames(table: string): { status: string; logger: string } {
  return { status: `hc_${table}_status_trigger`, logger: `hc_${table}_logtrigger` };
}

/** Connect's trigger-log tables; their presence tells a real (or simulated) Connect schema. */
export const TRIGGER_LOG_TABLES: readonly string[] = ['_trigger_log', '_trigger_log_archive'];

/** The `xmlbinary` value of a client session whose writes Connect captures. */
export const CAPTURED_XMLBINARY = 'base64';
