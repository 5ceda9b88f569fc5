import { lookupKey, type EntityGraph } from '../core/entities/graph.js';
import type { RawConfig, RawEntity } from './schema.js';
import type { KeySource } from '../core/entities/entity.js';
import type { ErrorPolicy, HcErrorCode } from '../core/connect/error-taxonomy.js';
import { DEFAULT_ATTEMPTS } from '../core/repair/attempts.js';
import { parseDuration } from '../core/duration.js';
import type { Config, DatabaseTarget, Entity, FieldMapping } from './types.js';

/** Command-line overrides, which win over the file. */
export interface UrlOverrides {
  sourceUrl?: string | undefined;
  mirrorUrl?: string | undefined;
}

/** `deferred`: the lookups written in a second phase, as lookupKey names them. */
export function compileConfig(
  raw: RawConfig,
  graph: EntityGraph,
  deferred: ReadonlySet<string>,
  file: string,
  overrides: UrlOverrides,
): Config {
  return {
    file,
    source: target('source', raw.source, 'public', overrides.sourceUrl, '--source-url'),
    mirror: target('mirror', raw.mirror, 'salesforce', overrides.mirrorUrl, '--mirror-url'),
    entities: raw.entities.map((entity) =>
      compileEntity(
        entity,
        new Set(raw.entities.filter((e) => e.readOnly).map((e) => e.name)),
        deferred,
      ),
    ),
    graph,
    repair: {
      policies: new Map(Object.entries(raw.repair?.policies ?? {}) as [HcErrorCode, ErrorPolicy][]),
      maxWrites: raw.repair?.maxWrites ?? null,
      attempts: {
        maxAttempts: raw.repair?.maxAttempts ?? DEFAULT_ATTEMPTS.maxAttempts,
        backoffMs:
          raw.repair?.backoff?.map((text) => parseDuration(text)!) ?? DEFAULT_ATTEMPTS.backoffMs,
      },
      maxWritesPerEntity: new Map(
        raw.entities.flatMap((e) => (e.maxWrites === undefined ? [] : [[e.name, e.maxWrites]])),
      ),
    },
    todos: [
      ...(raw.todo ?? []).map((note) => ({ entity: undefined, note })),
      ...raw.entities.flatMap((entity) =>
        (entity.todo ?? []).map((note) => ({ entity: entity.name, note })),
      ),
    ],
  };
}

function target(
  role: DatabaseTarget['role'],
  raw: RawConfig['source'],
  defaultSchema: string,
  flagValue: string | undefined,
  flag: string,
): DatabaseTarget {
  const schema = raw.schema ?? defaultSchema;
  if (flagValue !== undefined)
    return { role, url: flagValue, origin: { kind: 'flag', flag }, schema };
  return { role, url: raw.url, origin: { kind: 'config' }, schema };
}

function compileKey(key: NonNullable<RawEntity['source']>['key']): KeySource {
  if (typeof key === 'string') return { kind: 'column', column: key };
  if ('sql' in key) return { kind: 'sql', sql: key.sql };
  return { kind: 'columns', columns: key.columns, separator: key.separator };
}

function compileEntity(
  raw: RawEntity,
  readOnly: ReadonlySet<string>,
  deferred: ReadonlySet<string>,
): Entity {
  if (raw.readOnly) {
    return {
      name: raw.name,
      readOnly: true,
      mirror: raw.mirror,
      source: undefined,
      fields: [],
      parents: [],
    };
  }
  // checkRules has rejected a writable entity without a source.
  const source = raw.source!;
  const fields: FieldMapping[] = Object.entries(raw.fields ?? {}).map(([mirrorColumn, value]) => ({
    mirrorColumn,
    source:
      typeof value === 'string'
        ? { kind: 'column', column: value }
        : { kind: 'sql', sql: value.sql },
  }));
  return {
    name: raw.name,
    readOnly: false,
    mirror: raw.mirror,
    source: { table: source.table, key: compileKey(source.key), where: source.where },
    fields,
    parents: (raw.parents ?? []).map((p) => ({
      entity: p.entity,
      column: p.column,
      lookup: p.lookup,
      optional: p.optional ?? false,
      readOnly: readOnly.has(p.entity),
      deferred: deferred.has(lookupKey(raw.name, p.lookup)),
    })),
  };
}
