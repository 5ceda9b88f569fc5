import { z } from 'zod';
import { IDENTIFIER_PATTERN, MAX_IDENTIFIER_LENGTH, RESERVED_NAMES } from '../core/identifier.js';
import { quote } from '../core/quote.js';
import { parseDuration } from '../core/duration.js';
import { CONFIGURABLE_POLICIES } from '../core/connect/error-policy.js';
import { HC_ERROR_CODES, type HcErrorCode } from '../core/connect/error-taxonomy.js';

/**
 * The shape of sfsync.config.json: a public contract. `schema/sfsync.config.schema.json`
 * is generated from this (npm run schema) and a test keeps the two identical.
 * Rules that span entities (parents exist, no cycles, …) live in rules.ts.
 */
const identifier = z
  .string({ error: 'expected a string' })
  .regex(IDENTIFIER_PATTERN, {
    error: (issue) =>
      `${quote(String(issue.input))} is not a plain SQL identifier ` +
      '(letters, digits, _; not starting with a digit)',
  })
  .max(MAX_IDENTIFIER_LENGTH, {
    error: `identifiers are at most ${MAX_IDENTIFIER_LENGTH} characters in PostgreSQL`,
  })
  .refine((value) => !RESERVED_NAMES.includes(value), {
    error: (issue) =>
      `${quote(String(issue.input))} is reserved: it names JavaScript object internals`,
  });

const url = z
  .string({ error: 'expected a connection string or "env:NAME"' })
  .trim()
  .min(1, { error: 'the URL is empty: give a connection string or "env:NAME"' })
  .refine((value) => !/^env:\s*$/.test(value), { error: '"env:" names no environment variable' })
  .describe(
    'A postgres:// connection string, or env:NAME to read it from the environment variable NAME.',
  );

const database = (defaultSchema: string) =>
  z.strictObject({
    url: url.optional(),
    schema: identifier
      .optional()
      .describe(`Schema holding the tables; defaults to "${defaultSchema}".`),
  });

const sqlExpression = z.strictObject({
  sql: z
    .string()
    .trim()
    .min(1, { error: 'the SQL expression is empty' })
    .describe('Trusted SQL over the source row, aliased src.'),
});

const fieldSource = z.union([identifier, sqlExpression], {
  error: 'expected a source column name or { "sql": "<expression over src>" }',
});

const parent = z.strictObject({
  entity: identifier.describe('Name of the parent entity.'),
  column: identifier.describe("Source column holding the parent's key."),
  lookup: identifier.describe(
    "Child mirror column holding the parent's external ID, e.g. editor__r__editoruuid__c.",
  ),
  optional: z
    .boolean({ error: 'expected true or false' })
    .optional()
    .describe('The source column may be NULL.'),
});

const compositeKey = z.strictObject({
  columns: z.array(identifier).min(2, {
    error: 'a composite key has at least two columns (one column: give its name as the key)',
  }),
  separator: z
    .string({ error: 'expected a string' })
    .describe('Put between the columns, as the app does when it builds the external ID.'),
});

const keySource = z.union([identifier, sqlExpression, compositeKey], {
  error:
    'expected a source column name, { "columns": [...], "separator": "…" } ' +
    'or { "sql": "<expression over src>" }',
});

const entitySource = z.strictObject({
  table: identifier,
  key: keySource.describe(
    "What, as text, is the mirror row's external ID: a column, " +
      'several columns joined by a separator, or a trusted SQL expression over src.',
  ),
  where: z
    .string()
    .trim()
    .min(1, { error: 'the filter is empty; remove "where" instead' })
    .optional()
    .describe('Trusted SQL filter; the source table is aliased src.'),
});

const entityMirror = z.strictObject({
  table: identifier,
  externalId: identifier.describe(
    "Mirror column holding the external ID (the mapping's unique identifier).",
  ),
});

/**
 * What `sfsync init` could not infer, for a person to settle: doctor lists it, and writing runs
 * refuse while any remains.
 */
const todo = z
  .array(z.string({ error: 'expected a string' }), { error: 'expected a list of strings' })
  .optional()
  .describe(
    'Notes left by sfsync init: what it could not infer. sfsync doctor lists them; ' +
      'repair and backfill refuse to write while any remain (--allow-todo overrides). ' +
      'Delete each once settled.',
  );

const maxWrites = z
  .int({ error: 'expected a whole number' })
  .positive({ error: 'expected at least 1' })
  .optional();

export const entitySchema = z.strictObject({
  name: identifier,
  readOnly: z.boolean({ error: 'expected true or false' }).optional(),
  source: entitySource.optional(),
  mirror: entityMirror,
  fields: z
    .record(identifier, fieldSource)
    .optional()
    .describe('Mirror column → source column name or { "sql": … }.'),
  parents: z.array(parent).optional(),
  maxWrites: maxWrites.describe(
    'The most rows one repair or backfill run writes to this entity; the rest wait for the ' +
      'next run (--max-writes caps the whole run).',
  ),
  todo,
});

const repairSettings = z.strictObject({
  policies: z
    .partialRecord(
      z.enum(HC_ERROR_CODES as [HcErrorCode, ...HcErrorCode[]]),
      z.enum(CONFIGURABLE_POLICIES as [string, ...string[]], {
        error: `expected one of ${CONFIGURABLE_POLICIES.join(', ')}`,
      }),
    )
    .optional()
    .describe(
      "Error code → repair policy, where this org differs from sfsync's taxonomy: retry-now " +
        'and retry-after-parent are re-sent, data-fix and config-fix wait for a changed source ' +
        'row or --retry, terminal is never re-sent.',
    ),
  maxWrites: maxWrites.describe(
    'The most rows one repair or backfill run writes, over all entities (--max-writes ' +
      'overrides); the rest wait for the next run.',
  ),
  maxAttempts: z
    .int({ error: 'expected a whole number' })
    .min(1, { error: 'expected at least 1' })
    .optional()
    .describe(
      'How often repair re-sends one FAILED row with the same values before it gives up ' +
        '(the row is then gave_up until its source row changes or --reset-attempts); default 5.',
    ),
  backoff: z
    .array(
      z
        .string({ error: 'expected a duration such as "1h"' })
        .refine((text) => parseDuration(text) !== undefined, {
          error: 'expected a duration such as "90s", "30m", "4h" or "1d"',
        }),
    )
    .min(1, { error: 'give at least one wait' })
    .optional()
    .describe(
      'The wait after the 1st, 2nd, … re-send of a FAILED row before the next; the last ' +
        'applies to every later one. Default ["1h", "4h", "24h"].',
    ),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  source: database('public'),
  mirror: database('salesforce'),
  entities: z.array(entitySchema).min(1, { error: 'configure at least one entity' }),
  repair: repairSettings.optional(),
  todo,
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawEntity = z.infer<typeof entitySchema>;
