import type { ParentLink, WritableEntity } from '../entities/entity.js';
import type {
  FieldDrift,
  Mismatch,
  MismatchClass,
  MirrorRow,
  MirrorSnapshot,
  ParentReadiness,
  ParentState,
  ParsedErrorDetail,
  SourceRow,
} from './types.js';
import type { ColumnInfo } from '../schema/catalog.js';
import { formatDuration } from '../duration.js';
import { ERROR_TAXONOMY } from '../connect/error-taxonomy.js';
import { policyOf, resendsOnItsOwn, type PolicyOverrides } from '../connect/error-policy.js';
import { parseHcError, type HcError } from '../connect/hc-error.js';
import { jsonValue, sameValue } from '../values/normalize.js';

export interface ClassifyContext {
  readonly entity: WritableEntity;
  /** Per parent entity: each mirror key's readiness. A key not in the map is absent. */
  readonly parentStates: ReadonlyMap<string, ReadonlyMap<string, ParentReadiness>>;
  /**
   * The same for the parents of deferred lookups (a self-lookup's parent is the entity being read).
   */
  readonly deferredStates?: ReadonlyMap<string, ReadonlyMap<string, ParentReadiness>>;
  /**
   * Per parent entity: when each `unsynced` parent of a deferred lookup was last written (its
   * newest trigger-log entry; null when the log holds none for it). A key not in the map: its age
   * is unknown.
   */
  readonly deferredSince?: ReadonlyMap<string, ReadonlyMap<string, Date | null>>;
  /** Column types of the mirror table, for normalised comparison. */
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly now: Date;
  readonly staleMs: number;
  /** Whether the mirror has Connect's trigger log, so that a row's age can be known. */
  readonly hasTriggerLog: boolean;
  /** The config's repair policy per error code, where it differs from the taxonomy's. */
  readonly policies?: PolicyOverrides | undefined;
  /** How often repair re-sent each key's FAILED row (sfsync.attempts), for the keys it did. */
  readonly attempts?: ReadonlyMap<string, number> | undefined;
  /** After this many re-sends of the same values, a FAILED row is given up (gave_up). */
  readonly maxAttempts?: number | undefined;
  /** How `_hc_err` texts are parsed: parseHcError, or one that remembers (rememberingParser). */
  readonly parseError?: ((text: string | null | undefined) => HcError | null) | undefined;
}

export type Classification =
  | { class: 'ok' | 'pending'; mismatch?: undefined }
  | { class: MismatchClass; mismatch: Mismatch };

/**
 * One source key against the mirror rows carrying it; the first class that
 * matches wins. `sourceRows` is how many source rows carry the key: more than
 * one, and which of them the mirror should hold is the app's call, never sfsync's.
 */
export function classifyKey(
  ctx: ClassifyContext,
  source: SourceRow,
  rows: readonly MirrorRow[],
  sourceRows = 1,
): Classification {
  const build = (
    cls: MismatchClass,
    reason: string,
    extra: Partial<Mismatch> = {},
  ): Classification => ({
    class: cls,
    mismatch: mismatch(source.key, cls, reason, rows, extra),
  });

  if (sourceRows > 1) {
    return build(
      'source_duplicate',
      `${sourceRows} source rows carry this key: source.key is not unique, ` +
        "so which row the mirror should hold is the app's call",
      {
        sourceRows,
        rows: rows.length > 1 ? rows.map(snapshot) : null,
      },
    );
  }

  if (rows.length > 1) {
    const withSfid = rows.filter((row) => row.sfid !== null).length;
    return build(
      'duplicate',
      `${rows.length} mirror rows carry this key ` +
        `(ids ${rows.map((r) => r.id).join(', ')}; ${withSfid} with an sfid)`,
      {
        rows: rows.map(snapshot),
      },
    );
  }

  const row = rows[0];
  const error = row?.lastop === 'FAILED' ? rowError(row, ctx.parseError ?? parseHcError) : null;
  if (!row || row.sfid === null) {
    const blocking = blockingParent(ctx, source);
    if (blocking) {
      return build('missing_parent', `${describeParent(blocking)}; ${describeRow(row, error)}`, {
        parent: blocking,
        ...errorFields(error, false, ctx),
        // The row's own error (FOREIGN_KEY_NOT_FOUND, say) tells how it failed; what to do depends
        // on where the parent is.
        hint: parentHint(ctx.entity, blocking),
      });
    }
  }

  if (row && error) {
    if (row.sfid !== null) {
      const why =
        ' (the row has an sfid: an update failed, so it must never be deleted and re-inserted)';
      return build('failed', `FAILED: ${error.message}${why}`, errorFields(error, false, ctx));
    }
    // What the app changed since the failed write: the fix a data-fix failure waits for.
    const changed = fieldDrift(ctx, source, row).drift;
    const attempts = ctx.attempts?.get(source.key) ?? 0;
    if (changed.length === 0 && ctx.maxAttempts !== undefined && attempts >= ctx.maxAttempts)
      return build(
        'gave_up',
        `repair gave up after ${attempts} attempts; FAILED: ${error.message}`,
        errorFields(error, false, ctx),
      );
    const repairable = resendsOnItsOwn(error.code, changed.length > 0, ctx.policies);
    return build('failed', `FAILED: ${error.message}`, {
      ...errorFields(error, repairable, ctx),
      fields: changed,
    });
  }

  if (!row) return build('absent', 'no mirror row: never written to the mirror');

  if (row.sfid === null) {
    const age = ageMs(ctx, row);
    if (age === undefined) return { class: 'pending' };
    if (age === Infinity) {
      return build(
        'stuck',
        "no sfid and no trigger-log entry left for it: older than the log's retention " +
          `(last op ${row.lastop ?? 'none'})`,
      );
    }
    if (age > ctx.staleMs) {
      return build(
        'stuck',
        `no sfid ${formatDuration(age)} after its last write ` +
          `(threshold ${formatDuration(ctx.staleMs)}; ` +
          `last op ${row.lastop ?? 'none'}, log ${row.log?.state ?? 'none'})`,
        {
          ageSeconds: Math.round(age / 1000),
        },
      );
    }
    return { class: 'pending' };
  }

  const { drift, waiting } = fieldDrift(ctx, source, row);
  if (drift.length > 0) {
    const count = drift.length === 1 ? '1 field differs' : `${drift.length} fields differ`;
    return build('drift', `${count}: ${drift.map((d) => d.column).join(', ')}`, { fields: drift });
  }
  // A deferred lookup whose parent is on its way to an sfid is the second phase still to come, not
  // drift; one whose parent will not get there by waiting is blocked on that parent, like any other
  // child.
  const blocked = waiting.map((wait) => blockedDeferred(ctx, wait)).find((b) => b !== null);
  if (blocked)
    return build('missing_parent', blocked.reason, { parent: blocked.parent, hint: blocked.hint });
  return { class: waiting.length > 0 ? 'pending' : 'ok' };
}

/** Mirror rows whose key no source row has (after the entity's `where`). */
export function classifyOrphan(
  key: string,
  rows: readonly MirrorRow[],
  filtered: boolean,
): Mismatch {
  const reason = filtered
    ? 'no source row with this key passes source.where (deleted, or filtered out)'
    : 'no source row with this key (deleted in the app?)';
  return mismatch(
    key,
    'orphan',
    rows.length > 1 ? `${reason}; ${rows.length} mirror rows carry it` : reason,
    rows,
    {
      rows: rows.length > 1 ? rows.map(snapshot) : null,
    },
  );
}

function blockingParent(ctx: ClassifyContext, source: SourceRow): Mismatch['parent'] {
  for (const link of ctx.entity.parents) {
    // A deferred lookup never holds the row back: it is inserted without it and the lookup set
    // later.
    if (link.deferred) continue;
    const key = source.parents[link.lookup] ?? null;
    if (key === null) {
      if (link.optional) continue;
      return { entity: link.entity, key: null, state: 'absent' };
    }
    const state: ParentState = ctx.parentStates.get(link.entity)?.get(key) ?? 'absent';
    if (state !== 'ready') return { entity: link.entity, key, state };
  }
  return null;
}

function describeParent(parent: NonNullable<Mismatch['parent']>): string {
  if (parent.key === null) return `required parent ${parent.entity} is NULL in the source row`;
  const what = {
    absent: 'has no mirror row',
    unsynced: 'has no sfid yet',
    failed: 'FAILED to reach Salesforce',
    // Stryker disable next-line StringLiteral: unreachable, a ready parent blocks nothing
    ready: 'is ready',
  }[parent.state];
  return `parent ${parent.entity} ${parent.key} ${what}`;
}

interface DeferredWait {
  readonly link: ParentLink;
  readonly key: string;
}

/**
 * A deferred lookup that waits for its parent's sfid, unless waiting cannot bring it: the parent
 * FAILED, is not in the mirror, or has had no sfid for longer than --stale (measured like `stuck`,
 * by the parent's newest trigger-log entry: that is how long Connect has had to sync it, whatever
 * the child's age).
 */
function blockedDeferred(
  ctx: ClassifyContext,
  { link, key }: DeferredWait,
): { parent: NonNullable<Mismatch['parent']>; reason: string; hint: string } | null {
  const state: ParentState = ctx.deferredStates?.get(link.entity)?.get(key) ?? 'absent';
  const parent = { entity: link.entity, key, state };
  const waits = `deferred lookup ${link.lookup} cannot be set`;
  const then =
    `once it has an sfid, sfsync repair sets ${link.lookup} ` +
    '(the next run, or this one with --wait)';
  if (state === 'unsynced') {
    const age = ageSince(ctx, ctx.deferredSince?.get(link.entity)?.get(key));
    if (age === undefined || age <= ctx.staleMs) return null;
    const since =
      age === Infinity
        ? "has no sfid and no trigger-log entry left for it (older than the log's retention)"
        : `has had no sfid for ${formatDuration(age)} since its last write ` +
          `(threshold ${formatDuration(ctx.staleMs)})`;
    return {
      parent,
      reason: `${waits}: parent ${link.entity} ${key} ${since}`,
      hint:
        `${link.entity} ${key} is stuck itself: Connect has not sent it ` +
        `(see its own mismatch; check the connection and its trigger log); ${then}`,
    };
  }
  return {
    parent,
    reason: `${waits}: ${describeParent(parent)}; this row is synced`,
    hint: parentHint(ctx.entity, parent, then),
  };
}

function parentHint(
  entity: WritableEntity,
  parent: NonNullable<Mismatch['parent']>,
  then = 'once it has an sfid, sfsync repair writes this row (re-inserting it if it FAILED)',
): string {
  const link = entity.parents.find((p) => p.entity === parent.entity);
  if (parent.key === null) {
    // Stryker disable next-line StringLiteral: unreachable, the parent is one of the entity's links
    const column = link?.column ?? 'its column';
    const fix = 'set it in the app, or mark the parent "optional" if the lookup may stay empty';
    return `the source row names no ${parent.entity} (${column} is NULL): ${fix}`;
  }
  const named = `${parent.entity} ${parent.key}`;
  switch (parent.state) {
    case 'absent':
      return link?.readOnly
        ? `${named} has not arrived from Salesforce (a read-only mapping sfsync cannot write): ` +
            `create it upstream; ${then}`
        : `${named} was never written to the mirror: ` +
            `write it first (\`sfsync repair\` inserts it if its source row exists); ${then}`;
    case 'unsynced':
      return (
        `${named} is in the mirror but Connect has not given it an sfid yet: ` +
        `wait for Connect (or use repair --wait); ${then}`
      );
    case 'failed':
      return (
        `${named} FAILED to reach Salesforce itself: ` +
        `fix the parent first (see its own mismatch); ${then}`
      );
    case 'ready':
      return then;
  }
}

function describeRow(row: MirrorRow | undefined, error: HcError | null): string {
  if (!row) return 'this row has no mirror row yet';
  if (error) return `this row is FAILED (${error.code})`;
  return `this row is ${row.lastop ?? 'unsynced'} without an sfid`;
}

/**
 * `_hc_err` first; the trigger log's `sf_message` when Connect left the column empty or unreadable.
 */
function rowError(row: MirrorRow, parse: typeof parseHcError): HcError {
  const fromColumn = parse(row.hcErr);
  const fromLog = parse(row.log?.sfMessage);
  if (fromColumn && (fromColumn.code !== 'UNKNOWN' || !fromLog)) return fromColumn;
  return (
    fromLog ?? {
      code: 'UNKNOWN',
      statusCode: undefined,
      message: 'FAILED with no error text in _hc_err or the trigger log',
    }
  );
}

function errorFields(
  error: HcError | null,
  repairable: boolean,
  ctx: Pick<ClassifyContext, 'policies'>,
): Partial<Mismatch> {
  if (!error) return {};
  const { code, statusCode, ...details } = error;
  const detail: ParsedErrorDetail = { statusCode: statusCode ?? null, ...details };
  const { hint } = ERROR_TAXONOMY[code];
  return { code, policy: policyOf(code, ctx.policies), repairable, hint, error: detail };
}

/**
 * undefined: unknown (no trigger log at all); Infinity: the log exists but holds nothing for this
 * row.
 */
function ageMs(ctx: ClassifyContext, row: MirrorRow): number | undefined {
  return ageSince(ctx, row.log?.createdAt ?? null);
}

/**
 * Since a trigger-log entry's time; null: the log holds no entry (Infinity); undefined: not known.
 */
function ageSince(ctx: ClassifyContext, loggedAt: Date | null | undefined): number | undefined {
  if (!ctx.hasTriggerLog || loggedAt === undefined) return undefined;
  if (loggedAt === null) return Infinity;
  return Math.max(0, ctx.now.getTime() - loggedAt.getTime());
}

/** The columns that differ, and the deferred lookups that wait for their parent's sfid. */
function fieldDrift(
  ctx: ClassifyContext,
  source: SourceRow,
  row: MirrorRow,
): { drift: FieldDrift[]; waiting: DeferredWait[] } {
  const drift: FieldDrift[] = [];
  const waiting: DeferredWait[] = [];
  // Stryker disable next-line StringLiteral: equivalent, typeFamily reads an empty type as text too
  const text: ColumnInfo = { type: 'text', maxLength: null };
  for (const field of ctx.entity.fields) {
    const column = ctx.columns.get(field.mirrorColumn) ?? text;
    const a = source.fields[field.mirrorColumn];
    const b = row.fields[field.mirrorColumn];
    if (!sameValue(a, b, column))
      drift.push({ column: field.mirrorColumn, source: jsonValue(a), mirror: jsonValue(b) });
  }
  for (const link of ctx.entity.parents) {
    const a = source.parents[link.lookup] ?? null;
    const b = row.lookups[link.lookup] ?? null;
    if (sameValue(a, b, text)) continue;
    // Set it only once the parent can be referenced: until then the update would fail in
    // Salesforce.
    if (link.deferred && a !== null && ctx.deferredStates?.get(link.entity)?.get(a) !== 'ready') {
      waiting.push({ link, key: a });
      continue;
    }
    drift.push({ column: link.lookup, source: a, mirror: b });
  }
  return { drift, waiting };
}

function snapshot(row: MirrorRow): MirrorSnapshot {
  return { id: row.id, sfid: row.sfid, lastop: row.lastop, hcErr: row.hcErr };
}

function mismatch(
  key: string,
  cls: MismatchClass,
  reason: string,
  rows: readonly MirrorRow[],
  extra: Partial<Mismatch>,
): Mismatch {
  return {
    key,
    class: cls,
    code: null,
    policy: null,
    repairable: false,
    reason,
    hint: null,
    error: null,
    mirror: rows[0] ? snapshot(rows[0]) : null,
    rows: null,
    parent: null,
    fields: [],
    ageSeconds: null,
    sourceRows: null,
    ...extra,
  };
}
