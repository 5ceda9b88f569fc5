import { z } from 'zod';
import {
  ENTITY_METHODS,
  MISMATCH_CLASSES,
  PARENT_STATES,
  ROW_CLASSES,
  type EntityAudit,
  type Mismatch,
  type MismatchClass,
  type RowClass,
} from '../../core/audit/types.js';
import { ERROR_POLICIES, HC_ERROR_CODES } from '../../core/connect/error-taxonomy.js';
import {
  IDENTIFIER_PATTERN,
  MAX_IDENTIFIER_LENGTH,
  RESERVED_NAMES,
} from '../../core/identifier.js';
import { MAX_SHARDS } from '../../core/methods/shard.js';
import { FORMAT_VERSION } from '../../render/json.js';

/**
 * The whole of an audit's JSON report (docs/output.md), every enum taken from
 * the core types so that it follows the taxonomy as it grows. Names that come
 * from the config (entities, tables, columns) are identifiers there, so they
 * must be here. Keys the schema does not know are dropped, so that nothing
 * unchecked reaches a report.
 */
/**
 * Each is a row of every report merge prints (table, markdown, HTML); no Connect set-up maps this
 * many objects.
 */
export const MAX_REPORT_ENTITIES = 10_000;

const count = z.number().int().nonnegative();
const text = z.string();

const identifier = text
  .max(MAX_IDENTIFIER_LENGTH, {
    error: `expected a name of at most ${MAX_IDENTIFIER_LENGTH} characters, as the config allows`,
  })
  .regex(IDENTIFIER_PATTERN, {
    error: 'expected a name as the config allows (letters, digits, _; not starting with a digit)',
  })
  .refine((name) => !RESERVED_NAMES.includes(name), {
    error: 'expected a name as the config allows, not a JavaScript object internal',
  });

/**
 * A list validated item by item, stopping at the first bad one: zod reports
 * every issue of a list, which for millions of forged items is millions of
 * issue objects (and the end of the memory) where one line is wanted.
 */
function list<T extends z.ZodType>(item: T, max = Number.POSITIVE_INFINITY, tooMany = '') {
  return z
    .array(z.unknown())
    .max(max, { error: tooMany })
    .transform((values, ctx) => {
      const items: z.output<T>[] = [];
      for (let i = 0; i < values.length; i++) {
        const parsed = item.safeParse(values[i]);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          ctx.addIssue({ code: 'custom', message: issue.message, path: [i, ...issue.path] });
          return z.NEVER;
        }
        items.push(parsed.data);
      }
      return items;
    });
}

const snapshot = z.object({
  id: count,
  sfid: text.nullable(),
  lastop: text.nullable(),
  hcErr: text.nullable(),
});

const errorDetail = z.object({
  statusCode: text.nullable(),
  message: text,
  value: text.optional(),
  field: text.optional(),
  object: text.optional(),
  fields: list(text).optional(),
  duplicateOf: text.optional(),
});

export const mismatchSchema = z.object({
  key: text,
  class: z.enum(MISMATCH_CLASSES),
  code: z.enum(HC_ERROR_CODES).nullable(),
  // Reports written before the taxonomy (formatVersion 1 all the same) have no policy.
  policy: z.enum(ERROR_POLICIES).nullable().default(null),
  repairable: z.boolean(),
  reason: text,
  hint: text.nullable(),
  error: errorDetail.nullable(),
  mirror: snapshot.nullable(),
  rows: list(snapshot).nullable(),
  parent: z
    .object({ entity: identifier, key: text.nullable(), state: z.enum(PARENT_STATES) })
    .nullable(),
  fields: list(z.object({ column: identifier, source: z.json(), mirror: z.json() })),
  ageSeconds: count.nullable(),
  sourceRows: count.nullable(),
});

/** Classes added within format version 1: a report written before them counts none. */
const ADDED_LATER: ReadonlySet<RowClass> = new Set(['gave_up']);

const counts = z.object(
  Object.fromEntries(
    ROW_CLASSES.map((cls) => [cls, ADDED_LATER.has(cls) ? count.default(0) : count]),
  ) as Record<RowClass, typeof count>,
);

const share = z.number().min(0).max(1);

const methodChoice = z.object({
  reason: text,
  estimate: z
    .object({
      damagedShare: share,
      sampledRows: count,
      segmentRows: count,
      streamedShare: share,
      checksumBytesPerRow: z.number().nonnegative(),
      streamBytesPerRow: z.number().nonnegative(),
      choice: z.enum(['checksum', 'stream']),
    })
    .optional(),
});

export const entitySchema = z.object({
  name: identifier,
  readOnly: z.boolean(),
  mirrorTable: identifier,
  sourceRows: count.nullable(),
  mirrorRows: count,
  unsyncedRows: count,
  oldestUnsyncedAgeSeconds: count.nullable(),
  sourceRowsWithoutKey: count,
  method: z.enum(ENTITY_METHODS),
  // Added within format version 1: older reports have none.
  methodChoice: methodChoice.nullable().default(null),
  keysReadInFull: count,
  counts,
  mismatches: list(mismatchSchema),
});

const shard = z
  .object({
    index: count.min(1, { error: 'a shard is numbered from 1' }),
    count: count
      .min(1, { error: 'expected at least 1 shard' })
      .max(MAX_SHARDS, { error: `audit --shard splits into at most ${MAX_SHARDS} shards` }),
  })
  .refine((s) => s.index <= s.count, {
    error: 'the shard is past the number of shards',
    path: ['index'],
  });

export const auditReportSchema = z.object({
  tool: z.literal('sfsync'),
  command: z.literal('audit'),
  formatVersion: z.literal(FORMAT_VERSION),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  shard: shard.nullable(),
  order: list(identifier),
  entities: list(
    entitySchema,
    MAX_REPORT_ENTITIES,
    `merge takes at most ${MAX_REPORT_ENTITIES} entities`,
  ),
  bytesRead: count.nullable(),
});

export type AuditReport = z.output<typeof auditReportSchema>;

// The schema keeps step with the core types: what it gives is a Mismatch and an EntityAudit, with
// every key of each.
type Exactly<Parsed, Core> = [Parsed] extends [Core]
  ? [keyof Parsed] extends [keyof Core]
    ? [keyof Core] extends [keyof Parsed]
      ? true
      : never
    : never
  : never;
true satisfies Exactly<z.output<typeof mismatchSchema>, Mismatch>;
true satisfies Exactly<z.output<typeof entitySchema>, EntityAudit>;
true satisfies Exactly<z.output<typeof counts>, Record<RowClass, number>>;
true satisfies Exactly<MismatchClass, z.output<typeof mismatchSchema>['class']>;
