import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { resolveConfig, resolveTarget } from '../../src/config/resolve-url.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { fixtureConfigObject, smallConfig } from '../support/config-text.js';
import { FIXTURE_CONFIG } from '../support/paths.js';

/** The issues a config produces, as `path: message` lines. */
function problems(config: unknown): string[] {
  try {
    parseConfig(
      typeof config === 'string' ? config : JSON.stringify(config),
      '/tmp/sfsync.config.json',
    );
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('a valid config', () => {
  it('compiles the fixture config with defaults and the canonical order', () => {
    const config = loadConfig({ configPath: FIXTURE_CONFIG });
    expect(config.source).toMatchObject({
      url: 'env:DATABASE_URL',
      schema: 'public',
      origin: { kind: 'config' },
    });
    expect(config.mirror.schema).toBe('salesforce');
    expect(config.graph.order).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    const school = config.entities.find((e) => e.name === 'school')!;
    expect(school.readOnly).toBe(false);
    expect(school.fields).toContainEqual({
      mirrorColumn: 'country__c',
      source: { kind: 'sql', sql: 'upper(src.country_code)' },
    });
    expect(school.fields).toContainEqual({
      mirrorColumn: 'town__c',
      source: { kind: 'column', column: 'municipality' },
    });
  });

  it('defaults schemas, optional parents and empty fields', () => {
    const config = parseConfig(JSON.stringify(smallConfig()), 'x.json');
    expect(config.source.schema).toBe('public');
    expect(config.mirror.schema).toBe('salesforce');
    const role = config.entities[2]!;
    expect(role.fields).toEqual([]);
    expect(role.parents.map((p) => p.optional)).toEqual([false, true]);
  });

  it('lets --source-url and --mirror-url override the file', () => {
    const config = parseConfig(JSON.stringify(smallConfig()), 'x.json', {
      sourceUrl: 'postgres://a/b',
      mirrorUrl: 'postgres://c/d',
    });
    expect(config.source).toMatchObject({
      url: 'postgres://a/b',
      origin: { kind: 'flag', flag: '--source-url' },
    });
    expect(config.mirror).toMatchObject({
      url: 'postgres://c/d',
      origin: { kind: 'flag', flag: '--mirror-url' },
    });
  });
});

describe('config errors name the JSON path and what to do', () => {
  it('rejects a parent that names no entity, suggesting the nearest', () => {
    const config = smallConfig();
    config.entities[2].parents[0].entity = 'schol';
    expect(problems(config)).toEqual([
      'entities[2].parents[0].entity: unknown entity "schol" — did you mean "school"?',
    ]);
  });

  it('rejects duplicate entity names', () => {
    const config = smallConfig();
    config.entities[1].name = 'school';
    expect(problems(config)).toContain(
      'entities[1].name: duplicate entity name "school" (first declared at entities[0])',
    );
  });

  it('accepts a self-lookup, written in a second phase', () => {
    const config = smallConfig();
    config.entities[0].parents = [
      { entity: 'school', column: 'parent_id', lookup: 'parent__r__editoruuid__c', optional: true },
    ];
    const loaded = parseConfig(JSON.stringify(config), 'cfg.json', {});
    expect(problems(config)).toEqual([]);
    expect(loaded.entities[0]!.parents).toEqual([
      expect.objectContaining({ entity: 'school', deferred: true }),
    ]);
    expect(loaded.graph.order[0]).toBe('school');
  });

  it("accepts a cycle, deferring its earliest-declared entity's lookup; rest parents first", () => {
    const config = smallConfig();
    config.entities[0].parents = [
      { entity: 'role', column: 'role_id', lookup: 'role__r__affiliation_id__c', optional: true },
    ];
    const loaded = parseConfig(JSON.stringify(config), 'cfg.json', {});
    const deferred = loaded.entities.flatMap((e) =>
      e.parents.filter((p) => p.deferred).map((p) => `${e.name}.${p.lookup}`),
    );
    expect(deferred).toEqual(['school.role__r__affiliation_id__c']);
    expect(loaded.graph.order.indexOf('school')).toBeLessThan(loaded.graph.order.indexOf('role'));
  });

  it.each([
    ['a table name with a dot', ['entities', 0, 'source', 'table'], 'public.schools'],
    ['a column with a quote', ['entities', 0, 'mirror', 'externalId'], 'ext"id'],
    ['a name starting with a digit', ['entities', 0, 'name'], '1school'],
    ['a schema with a space', ['mirror', 'schema'], 'sales force'],
    ['a lookup with a hyphen', ['entities', 2, 'parents', 0, 'lookup'], 'editor-r'],
  ])('rejects a malformed identifier: %s', (_label, path, value) => {
    const config = smallConfig();
    let target: any = config;
    for (const segment of path.slice(0, -1)) target = target[segment as string];
    target[path.at(-1) as string] = value;
    const [problem] = problems(config);
    // Quoted as JSON, so a quote or a control character in the value shows escaped.
    expect(problem).toContain(`${JSON.stringify(value)} is not a plain SQL identifier`);
    expect(problem).toMatch(/^(entities\[\d\]|mirror)\./);
  });

  it('rejects an identifier longer than PostgreSQL keeps', () => {
    const config = smallConfig();
    config.entities[0].source.key = 'k'.repeat(64);
    expect(problems(config)).toEqual([
      'entities[0].source.key: identifiers are at most 63 characters in PostgreSQL',
    ]);
  });

  it('rejects a malformed field mapping key and value', () => {
    const config = smallConfig();
    config.entities[0].fields = { 'bad column': 'name', ok__c: 42 };
    expect(problems(config)).toEqual([
      'entities[0].fields["bad column"]: "bad column" is not a plain SQL identifier ' +
        '(letters, digits, _; not starting with a digit)',
      'entities[0].fields.ok__c: expected a source column name ' +
        'or { "sql": "<expression over src>" }, found number 42',
    ]);
  });

  it('rejects a readOnly entity with fields, source or parents', () => {
    const config = smallConfig();
    Object.assign(config.entities[1], {
      fields: { email: 'email' },
      source: { table: 'users', key: 'id' },
      parents: [{ entity: 'school', column: 'school_id', lookup: 'school__r__x' }],
    });
    const why =
      'a readOnly entity is filled by Heroku Connect from upstream and never written by sfsync';
    expect(problems(config)).toEqual([
      `entities[1].source: ${why}; remove "source"`,
      `entities[1].fields: ${why}; remove "fields"`,
      `entities[1].parents: ${why}; remove "parents"`,
    ]);
  });

  it('requires a source for an entity that is not readOnly', () => {
    const config = smallConfig();
    delete config.entities[0].source;
    expect(problems(config)).toEqual([
      'entities[0].source: is required ' +
        '(or mark the entity "readOnly": true if Connect fills it from upstream)',
    ]);
  });

  it.each([
    ['an empty URL', '', 'source.url: the URL is empty: give a connection string or "env:NAME"'],
    ['blanks', '   ', 'source.url: the URL is empty: give a connection string or "env:NAME"'],
    ['env: with no name', 'env:', 'source.url: "env:" names no environment variable'],
  ])('rejects a URL with no value: %s', (_label, url, message) => {
    const config = smallConfig();
    config.source.url = url;
    expect(problems(config)).toEqual([message]);
  });

  it('suggests the nearest valid key for a misspelt one', () => {
    const config = smallConfig();
    config.entities[0].mirror = { table: 'editor__c', externalID: 'editoruuid__c' };
    config.entities[2].parents[0] = { ...config.entities[2].parents[0], optinal: true };
    config.sorce = config.source;
    expect(problems(config)).toEqual([
      'entities[0].mirror.externalId: is required',
      'entities[0].mirror.externalID: unknown key "externalID" — did you mean "externalId"?',
      'entities[2].parents[0].optinal: unknown key "optinal" — did you mean "optional"?',
      'sorce: unknown key "sorce" — did you mean "source"?',
    ]);
  });

  it('rejects writing columns Heroku Connect owns', () => {
    const config = smallConfig();
    config.entities[0].fields = { sfid: 'sf_id', _hc_lastop: 'x', editoruuid__c: 'id' };
    config.entities[2].parents[1].lookup = 'affiliation_id__c';
    config.entities[1].mirror.externalId = 'sfid';
    expect(problems(config)).toEqual([
      'entities[0].fields.sfid: "sfid" belongs to Heroku Connect and is never written by sfsync',
      'entities[0].fields._hc_lastop: ' +
        '"_hc_lastop" belongs to Heroku Connect and is never written by sfsync',
      'entities[0].fields.editoruuid__c: "editoruuid__c" is the external ID column; ' +
        'it is written from source.key, so remove it from fields',
      'entities[1].mirror.externalId: "sfid" belongs to Heroku Connect; ' +
        "name the mapping's own external ID column",
      'entities[2].parents[1].lookup: ' +
        '"affiliation_id__c" is this entity\'s external ID column, not a lookup to a parent',
    ]);
  });

  it('rejects a lookup column used twice or also mapped as a field', () => {
    const config = smallConfig();
    config.entities[2].parents[1].lookup = 'editor__r__editoruuid__c';
    config.entities[2].fields = { editor__r__editoruuid__c: 'school_id' };
    expect(problems(config)).toEqual([
      'entities[2].parents[1].lookup: ' +
        'lookup column "editor__r__editoruuid__c" is already used by parents[0]',
      'entities[2].fields.editor__r__editoruuid__c: ' +
        '"editor__r__editoruuid__c" is a parent lookup column; ' +
        'it is written from parents[0], so remove it from fields',
    ]);
  });

  it('reports every problem of a file at once', () => {
    const config = smallConfig();
    config.entities[0].name = '';
    config.entities[2].parents[0].entity = 'nowhere';
    config.mirror.schema = 'a b';
    expect(problems(config)).toHaveLength(2);
  });

  it('points at the line and column of a JSON syntax error', () => {
    expect(problems('{\n  "source": {},\n  "mirror": {}\n  "entities": []\n}')).toEqual([
      expect.stringMatching(/^: not valid JSON at line 4, column 3: /),
    ]);
  });

  it('requires at least one entity and the top-level sections', () => {
    expect(problems({ entities: [] })).toEqual([
      'source: is required',
      'mirror: is required',
      'entities: configure at least one entity',
    ]);
  });

  it('formats the whole error for a person, with the file name', () => {
    const config = fixtureConfigObject();
    config.entities[2].parents[0].entity = 'schoool';
    expect(() => parseConfig(JSON.stringify(config), '/srv/app/sfsync.config.json')).toThrow(
      'invalid configuration in /srv/app/sfsync.config.json (1 problem):\n' +
        '  - entities[2].parents[0].entity: unknown entity "schoool" — did you mean "school"?',
    );
  });
});

describe('loading the file', () => {
  it('finds sfsync.config.json in the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfsync-config-'));
    writeFileSync(join(dir, 'sfsync.config.json'), JSON.stringify(smallConfig()));
    expect(loadConfig({ cwd: dir }).file).toBe(join(dir, 'sfsync.config.json'));
  });

  it('says how to fix a missing default file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfsync-config-'));
    expect(() => loadConfig({ cwd: dir })).toThrow(UsageError);
    expect(() => loadConfig({ cwd: dir })).toThrow(
      /no sfsync.config.json in .*: create one or pass --config PATH/,
    );
  });

  it('reports an unreadable --config path as a config error', () => {
    expect(() => loadConfig({ configPath: '/nonexistent/sfsync.json' })).toThrow(
      /cannot read the file \(ENOENT\)/,
    );
  });
});

describe('resolving where to connect', () => {
  const config = parseConfig(JSON.stringify(smallConfig()), 'cfg.json');

  it('reads env:NAME, and PGSSLMODE, from the environment only when asked', () => {
    expect(
      resolveTarget(config.source, { DATABASE_URL: 'postgres://h/app', PGSSLMODE: 'require' }),
    ).toEqual({
      role: 'source',
      schema: 'public',
      url: 'postgres://h/app',
      sslModeFromEnv: 'require',
    });
  });

  it('names the missing variable and the config key', () => {
    expect(() => resolveTarget(config.mirror, {}, 'cfg.json')).toThrow(
      'invalid configuration in cfg.json (1 problem):\n' +
        '  - mirror.url: environment variable SALESFORCE_CONNECT_DB is not set (or is empty)',
    );
  });

  it('names every database it cannot resolve, at once', () => {
    expect(() => resolveConfig(config, {})).toThrow(
      'invalid configuration in cfg.json (2 problems):\n' +
        '  - source.url: environment variable DATABASE_URL is not set (or is empty)\n' +
        '  - mirror.url: environment variable SALESFORCE_CONNECT_DB is not set (or is empty)',
    );
  });

  it('asks for a URL when neither config nor flag gives one', () => {
    const raw = smallConfig();
    delete raw.source.url;
    const noUrl = parseConfig(JSON.stringify(raw), 'cfg.json');
    expect(() => resolveTarget(noUrl.source, {})).toThrow(
      /set source.url in the config or pass --source-url/,
    );
  });
});

describe('the repair section and write caps', () => {
  it('compiles policies, caps, attempts and backoff, with the defaults when absent', () => {
    const config = smallConfig();
    const plain = parseConfig(JSON.stringify(config), 'cfg.json');
    expect(plain.repair).toEqual({
      policies: new Map(),
      maxWrites: null,
      maxWritesPerEntity: new Map(),
      attempts: { maxAttempts: 5, backoffMs: [3_600_000, 14_400_000, 86_400_000] },
    });
    config.repair = {
      policies: { DUPLICATE_VALUE: 'terminal', QUERY_TIMEOUT: 'retry-now' },
      maxWrites: 500,
      maxAttempts: 2,
      backoff: ['90s', '1h30m'],
    };
    config.entities[0].maxWrites = 20;
    const compiled = parseConfig(JSON.stringify(config), 'cfg.json');
    expect(compiled.repair).toEqual({
      policies: new Map([
        ['DUPLICATE_VALUE', 'terminal'],
        ['QUERY_TIMEOUT', 'retry-now'],
      ]),
      maxWrites: 500,
      maxWritesPerEntity: new Map([['school', 20]]),
      attempts: { maxAttempts: 2, backoffMs: [90_000, 5_400_000] },
    });
  });

  it('rejects an unknown code, the unknown policy, bad counts and bad durations', () => {
    const config = smallConfig();
    config.repair = {
      policies: { NOT_A_CODE: 'terminal', DUPLICATE_VALUE: 'unknown' },
      maxWrites: 0,
      maxAttempts: 1.5,
      backoff: ['soon'],
    };
    const found = problems(config).join('\n');
    expect(found).toContain('repair.policies');
    expect(found).toContain('NOT_A_CODE');
    expect(found).toMatch(
      new RegExp(
        'repair\\.policies\\.DUPLICATE_VALUE: expected one of retry-now, retry-after-parent, ' +
          'data-fix, config-fix, terminal',
      ),
    );
    expect(found).toContain('repair.maxWrites: expected at least 1');
    expect(found).toContain('repair.maxAttempts: expected a whole number');
    expect(found).toContain(
      'repair.backoff[0]: expected a duration such as "90s", "30m", "4h" or "1d"',
    );
  });

  it('rejects a write cap on a read-only entity, which sfsync never writes', () => {
    const config = smallConfig();
    const readOnly = config.entities.findIndex((e: { readOnly?: boolean }) => e.readOnly);
    config.entities[readOnly].maxWrites = 10;
    expect(problems(config)).toEqual([
      `entities[${readOnly}].maxWrites: a readOnly entity is filled by Heroku Connect from ` +
        'upstream and never written by sfsync; remove "maxWrites"',
    ]);
  });
});
