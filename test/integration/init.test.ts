import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConnectExport } from '../../src/config/connect-export.js';
import { inferFromDatabases } from '../../src/ops/init.js';
import type { AuditResult } from '../../src/core/audit/result.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { configFrom, fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario } from '../support/editor-scenario.js';
import { FIXTURE_CONFIG, FIXTURE_DIR } from '../support/paths.js';

const db = useFixtureDatabases();

/** The fixture app names its tables after its own domain, not Salesforce's: what `--map` is for. */
const TABLE_MAP = new Map([
  ['editor__c', 'schools'],
  ['contact_editor_affiliation__c', 'roles'],
  ['classroom__c', 'school_classes'],
  ['contact_classroom_affiliation__c', 'class_teachers'],
]);

interface RawEntity {
  name: string;
  readOnly?: boolean;
  source?: { table: string; key: string; where?: string };
  mirror: { table: string; externalId: string };
  fields?: Record<string, unknown>;
  parents?: { entity: string; column: string; lookup: string; optional?: boolean }[];
  todo?: string[];
}

const infer = async (exported?: boolean) => {
  const target = (role: 'source' | 'mirror', url: string, schema: string) => ({
    role,
    url,
    schema,
    sslModeFromEnv: undefined,
  });
  const exportText = exported
    ? await readFile(`${FIXTURE_DIR}/connect-export.json`, 'utf8')
    : undefined;
  const inferred = await inferFromDatabases({
    source: target('source', db.sourceUrl, 'public'),
    mirror: target('mirror', db.mirrorUrl, 'salesforce'),
    urlRefs: { source: 'env:DATABASE_URL', mirror: 'env:SALESFORCE_CONNECT_DB' },
    tableMap: TABLE_MAP,
    exported: exportText ? parseConnectExport(exportText, 'connect-export.json') : undefined,
  });
  return inferred.config as { entities: RawEntity[]; todo?: string[] };
};

/**
 * Per mirror table: the class counts and every mismatch's key, class and code — what an audit
 * concludes.
 */
function conclusions(result: AuditResult): Record<string, unknown> {
  return Object.fromEntries(
    result.entities.map((e) => [
      e.mirrorTable,
      {
        counts: e.counts,
        mismatches: [...e.mismatches]
          .map((m) => `${m.key} ${m.class} ${m.code ?? '-'} ${m.parent?.state ?? '-'}`)
          .sort(),
      },
    ]),
  );
}

let handWritten: { entities: RawEntity[] };

beforeAll(async () => {
  handWritten = JSON.parse(await readFile(FIXTURE_CONFIG, 'utf8'));
});

describe('sfsync init on the fixture databases', () => {
  it.each([
    ['from the databases', false],
    ['from the databases and a Connect export', true],
  ])('%s: everything it infers agrees with the hand-written config', async (_label, exported) => {
    const inferred = await infer(exported);
    const byTable = new Map(handWritten.entities.map((e) => [e.mirror.table, e]));
    const nameOf = new Map(inferred.entities.map((e) => [e.mirror.table, e.name]));
    expect([...nameOf.keys()].sort()).toEqual([...byTable.keys()].sort());
    for (const entity of inferred.entities) {
      const truth = byTable.get(entity.mirror.table)!;
      expect(entity.mirror, entity.name).toEqual(truth.mirror);
      expect(Boolean(entity.readOnly), entity.name).toBe(Boolean(truth.readOnly));
      if (entity.readOnly) continue;
      expect(entity.source, entity.name).toEqual({
        table: truth.source!.table,
        key: truth.source!.key,
      });
      for (const [column, source] of Object.entries(entity.fields ?? {}))
        expect(truth.fields?.[column], `${entity.name}.${column}`).toEqual(source);
      const truthParents = (truth.parents ?? []).map((p) => ({
        ...p,
        entity: nameOf.get(byTable.get(tableOf(p.entity))!.mirror.table),
      }));
      for (const parent of entity.parents ?? []) {
        expect(truthParents, `${entity.name} parent ${parent.entity}`).toContainEqual(
          expect.objectContaining({
            entity: parent.entity,
            column: parent.column,
            lookup: parent.lookup,
          }),
        );
      }
    }
  });

  it('leaves a todo note for each thing it could not infer, and nothing else', async () => {
    const inferred = await infer(false);
    const todos = inferred.entities.flatMap((e) =>
      (e.todo ?? []).map((t) => `${e.name}: ${t.split(':')[0]}`),
    );
    expect(todos.sort()).toEqual(
      [
        'classroom: mirror columns with no source column of the same name, left unmapped',
        'classroom: name',
        'contact: no source table matches contact by name',
        'contact_classroom_affiliation: ' +
          'mirror columns with no source column of the same name, left unmapped',
        'contact_editor_affiliation: lookup contact__r__pi_accounts_unique_id__c points at contact',
        'contact_editor_affiliation: ' +
          'mirror columns with no source column of the same name, left unmapped',
        'editor: mirror columns with no source column of the same name, left unmapped',
        'editor: name',
        'lesson: lookup teacher__r__pi_accounts_unique_id__c points at contact',
        'lesson: mirror columns with no source column of the same name, left unmapped',
        'lesson: name',
      ].sort(),
    );
  });

  it('no unique external-ID index: left out, saying why; an export names it anyway', async () => {
    await db.mirror('DROP INDEX salesforce.hcu_idx_classroom__c_classroomuuid__c');
    const bare = await infer(false);
    expect(bare.entities.map((e) => e.mirror.table)).not.toContain('classroom__c');
    expect(bare.todo).toEqual([
      expect.stringMatching(/^classroom__c: no unique external-ID column .* left out$/),
    ]);
    // Its children lose the parent they cannot name.
    expect(bare.entities.find((e) => e.name === 'lesson')!.todo).toContainEqual(
      expect.stringMatching(
        /^lookup classroom__r__classroomuuid__c: no mapped table has classroomuuid__c/,
      ),
    );
    const withExport = await infer(true);
    const classroom = withExport.entities.find((e) => e.mirror.table === 'classroom__c')!;
    expect(classroom.mirror.externalId).toBe('classroomuuid__c');
    expect(classroom.todo).toContainEqual(
      expect.stringMatching(/^the mirror has no unique index on classroomuuid__c/),
    );
  });

  it('todos settled as in the hand-written config: audits exactly as that one does', async () => {
    await db.reset();
    await buildAuditScenario(db);
    const inferred = await infer(true);
    const byTable = new Map(handWritten.entities.map((e) => [e.mirror.table, e]));
    const nameOf = new Map(inferred.entities.map((e) => [e.mirror.table, e.name]));
    // Settling adds what init could not know (filters, computed fields, the lookups no key
    // explains) and never changes what it inferred.
    const settled = {
      source: {},
      mirror: {},
      entities: inferred.entities.map((entity) => {
        const truth = byTable.get(entity.mirror.table)!;
        if (entity.readOnly) return { name: entity.name, readOnly: true, mirror: entity.mirror };
        const known = new Set((entity.parents ?? []).map((p) => p.lookup));
        const added = (truth.parents ?? [])
          .filter((p) => !known.has(p.lookup))
          .map((p) => ({ ...p, entity: nameOf.get(tableOf(p.entity))! }));
        return {
          name: entity.name,
          source: {
            ...entity.source,
            ...(truth.source!.where ? { where: truth.source!.where } : {}),
          },
          mirror: entity.mirror,
          fields: { ...truth.fields, ...entity.fields },
          parents: [...(entity.parents ?? []), ...added],
        };
      }),
    };
    const urls = { sourceUrl: db.sourceUrl, mirrorUrl: db.mirrorUrl };
    const [mine, theirs] = await Promise.all([
      runAudit(configFrom(settled, urls), { staleMs: 30 * 60_000 }),
      runAudit(fixtureConfig(urls), { staleMs: 30 * 60_000 }),
    ]);
    expect(mine.totals.mismatches).toBe(15);
    expect(conclusions(mine)).toEqual(conclusions(theirs));
  });
});

function tableOf(entityName: string): string {
  return handWrittenTables.get(entityName)!;
}
let handWrittenTables = new Map<string, string>();
beforeAll(() => {
  handWrittenTables = new Map(handWritten.entities.map((e) => [e.name, e.mirror.table]));
});
