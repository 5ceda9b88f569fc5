import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { WritableEntity } from '../../src/core/entities/entity.js';
import { insertRow } from '../../src/db/mirror/write-mirror.js';
import { mirrorRowsQuery } from '../../src/db/audit/read-mirror.js';
import { shardFilter } from '../../src/db/audit/shard-filter.js';
import { sourceRowsByKeyQuery, sourceRowsQuery } from '../../src/db/audit/source-query.js';
import { mirrorTableOf, sourceTableOf } from '../../src/db/entity-tables.js';

/**
 * The query builders compiled, no database: identifiers from config go out
 * quoted as identifiers (a name that tries to close its quotes stays one
 * name), values as bind parameters, and trusted fragments inside parentheses.
 * The integration tests run these statements; this pins their text.
 */
/** Kysely with PostgreSQL's compiler and a driver that sends nothing. */
function offline(
  log?: (event: { query: { sql: string; parameters: readonly unknown[] } }) => void,
): Kysely<any> {
  return new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    ...(log ? { log } : {}),
  });
}
const db = offline();
const compile = (query: RawBuilder<unknown>) => query.compile(db);

/**
 * Config is validated before it gets here; these names show the builders would hold even if it were
 * not.
 */
const HOSTILE = 'x"; drop table t; --';
const entity: WritableEntity = {
  name: 'school',
  readOnly: false,
  mirror: { table: `editor__c${HOSTILE}`, externalId: 'editoruuid__c' },
  source: {
    table: 'schools',
    key: { kind: 'columns', columns: ['id', `code${HOSTILE}`], separator: "'|'" },
    where: 'src.deleted_at is null',
  },
  fields: [
    { mirrorColumn: 'name', source: { kind: 'column', column: `name${HOSTILE}` } },
    { mirrorColumn: 'country__c', source: { kind: 'sql', sql: 'upper(src.country_code)' } },
  ],
  parents: [
    {
      entity: 'account',
      column: 'account_id',
      lookup: 'account__r__externalid__c',
      optional: false,
      readOnly: false,
      deferred: false,
    },
  ],
};
const QUOTED = '"x""; drop table t; --"';
const source = sourceTableOf('public', entity);
const mirror = mirrorTableOf('salesforce', entity);

describe('SQL built from config', () => {
  it('source query: identifiers quoted, separator a parameter, fragments parenthesised', () => {
    const { sql: text, parameters } = compile(sourceRowsQuery(source));
    expect(text).toBe(
      `select ("src"."id"::text || $1::text || ` +
        `"src"."code${QUOTED.slice(1)}::text)::text as "key", ` +
        `"src"."name${QUOTED.slice(1)} as "f:name", (upper(src.country_code)) as "f:country__c", ` +
        `"src"."account_id"::text as "p:account__r__externalid__c" ` +
        `from "public"."schools" as src where (src.deleted_at is null)`,
    );
    expect(parameters).toEqual(["'|'"]);
  });

  it('the source rows by key: the keys one array parameter', () => {
    const keys = ["a'b", 'c'];
    const { sql: text, parameters } = compile(sourceRowsByKeyQuery(source, keys));
    expect(
      text.endsWith(
        ` and (("src"."id"::text || $2::text || ` +
          `"src"."code${QUOTED.slice(1)}::text))::text = any($3::text[])`,
      ),
    ).toBe(true);
    expect(parameters).toEqual(["'|'", "'|'", keys]);
  });

  it('the mirror query: the table and columns quoted, keys a parameter', () => {
    const { sql: text, parameters } = compile(mirrorRowsQuery(mirror, ['k1']));
    expect(text).toContain(`from "salesforce"."editor__c${QUOTED.slice(1)} as m`);
    expect(text).toContain('"m"."editoruuid__c"::text = any($1::text[])');
    expect(parameters).toEqual([['k1']]);
  });

  it('the mirror query in full: the text it had before its table value was built per run', () => {
    const { sql: text } = compile(mirrorRowsQuery(mirror, ['k1']));
    const ext = '"m"."editoruuid__c"';
    expect(text.replace(/\s+/g, ' ').trim()).toBe(
      'select m.id, m.sfid, m._hc_lastop as lastop, m._hc_err as hc_err, ' +
        `${ext}::text as "key", "m"."name" as "f:name", "m"."country__c" as "f:country__c", ` +
        '"m"."account__r__externalid__c"::text as "p:account__r__externalid__c" ' +
        `from "salesforce"."editor__c${QUOTED.slice(1)} as m ` +
        `where ${ext} is not null and ${ext}::text = any($1::text[]) ` +
        `order by ${ext}::text collate "C", m.id`,
    );
  });

  it('the shard filter: integers as literals, the key wrapped once', () => {
    const filter = shardFilter({ index: 2, count: 4 })!;
    const { sql: text, parameters } = compile(filter(sql`k`, (v) => sql`${v}`));
    expect(text).toBe(`mod(('x' || substr(md5(k), 1, 15))::bit(60)::int8, 4::int8) = 1`);
    expect(parameters).toEqual([]);
    const first = compile(shardFilter({ index: 1, count: 4 })!(sql`k`, (v) => sql`${v}`)).sql;
    expect(first).toBe(
      `(k is null or mod(('x' || substr(md5(k), 1, 15))::bit(60)::int8, 4::int8) = 0)`,
    );
  });

  it('a mirror insert: every value a parameter, whatever it holds', async () => {
    let compiled: { sql: string; parameters: readonly unknown[] } | undefined;
    const recorder = offline((event) => {
      compiled = event.query;
    });
    // DummyDriver returns no rows: the insert reports the skipped row; the statement is what
    // matters here.
    await recorder
      .transaction()
      .execute((trx) =>
        insertRow(trx, mirror, { name: "O'Brien'); drop table t; --" }).catch(() => undefined),
      );
    expect(compiled?.sql.replace(/\s+/g, ' ').trim()).toBe(
      `insert into "salesforce"."editor__c${QUOTED.slice(1)} as m ("name") values ($1) ` +
        'returning to_jsonb(m.*) as image',
    );
    expect(compiled?.parameters).toEqual(["O'Brien'); drop table t; --"]);
  });
});
