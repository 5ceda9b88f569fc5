import type { PlannedAction } from './plan.js';

/**
 * The privileges a repair or backfill needs in the mirror database, worked
 * out from its plan, so a role that lacks one is refused before anything is
 * written, with the GRANT statements that would let it through.
 */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** A privilege the role lacks on an object, e.g. `INSERT` on `TABLE salesforce.editor__c`. */
export interface MissingGrant {
  readonly privilege: string;
  /**
   * The object as GRANT names it: `TABLE s.t`, `SEQUENCE s.q`, `FUNCTION f(args)`, `SCHEMA s`,
   * `DATABASE d`.
   */
  readonly object: string;
}

export interface WriteNeeds {
  /** Mirror table → the privileges the planned writes use (row locks need UPDATE). */
  readonly tables: ReadonlyMap<string, ReadonlySet<TablePrivilege>>;
  /** Tables that get new rows (their id sequence is used). */
  readonly inserts: ReadonlySet<string>;
  /** --strategy recapture calls hc_capture_insert_from_row(). */
  readonly recapture: boolean;
}

const BY_ACTION: Readonly<Record<PlannedAction['action'], readonly TablePrivilege[]>> = {
  insert: ['SELECT', 'INSERT', 'UPDATE'],
  reinsert: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  recapture: ['SELECT', 'UPDATE'],
  dedupe: ['SELECT', 'UPDATE', 'DELETE'],
  update: ['SELECT', 'UPDATE'],
  defer: [],
  skip: [],
};

/**
 * What the plan's writes need (added to `into`'s, for a plan seen a batch at a
 * time). A deferred row may be written later in the
 * same run (once its parent has an sfid), as an insert when it has no mirror
 * row and as a re-insert when it has a FAILED one, so it counts as that.
 */
export function writeNeeds(
  plan: readonly PlannedAction[],
  tableOf: (entity: string) => string,
  into?: WriteNeeds,
): WriteNeeds {
  const tables = new Map<string, Set<TablePrivilege>>(
    [...(into?.tables ?? [])].map(([table, set]) => [table, new Set(set)]),
  );
  const inserts = new Set<string>(into?.inserts);
  let recapture = into?.recapture ?? false;
  for (const action of plan) {
    const kind =
      action.action === 'defer'
        ? action.mirrorId === null
          ? 'insert'
          : 'reinsert'
        : action.action;
    const privileges = BY_ACTION[kind];
    if (privileges.length === 0) continue;
    const table = tableOf(action.entity);
    const set = tables.get(table) ?? new Set<TablePrivilege>();
    for (const privilege of privileges) set.add(privilege);
    tables.set(table, set);
    if (privileges.includes('INSERT')) inserts.add(table);
    if (kind === 'recapture') recapture = true;
  }
  return { tables, inserts, recapture };
}

/** One GRANT per object, privileges in a stable order. */
export function grantStatements(missing: readonly MissingGrant[], role: string): string[] {
  const byObject = new Map<string, string[]>();
  for (const grant of missing) {
    const list = byObject.get(grant.object) ?? [];
    if (!list.includes(grant.privilege)) list.push(grant.privilege);
    byObject.set(grant.object, list);
  }
  return [...byObject].map(
    ([object, privileges]) => `GRANT ${privileges.join(', ')} ON ${object} TO ${quoteIdent(role)};`,
  );
}

const RESERVED = new Set([
  'user',
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'as',
  'authorization',
  'check',
  'column',
  'constraint',
  'create',
  'current_user',
  'default',
  'do',
  'end',
  'for',
  'from',
  'grant',
  'group',
  'order',
  'public',
  'select',
  'session_user',
  'table',
  'to',
  'union',
  'where',
  'with',
]);

/**
 * An SQL identifier as a person would paste it into psql: bare when it can be, double-quoted
 * otherwise.
 */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)
    ? name
    : `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name`, each part quoted as needed. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
