import { orderWithDeferredLookups, type EntityGraph } from '../core/entities/graph.js';
import { CONNECT_OWNED_COLUMNS } from '../core/connect/heroku-connect.js';
import { didYouMean } from '../core/suggest.js';
import type { ConfigIssue } from '../errors.js';
import { formatPath } from './issues.js';
import type { RawConfig, RawEntity } from './schema.js';

/**
 * Rules that the shape alone cannot express. Every problem is collected, so a
 * user fixes the whole file in one pass; the graph is built only when the
 * entities it depends on are sound.
 */
export function checkRules(config: RawConfig): {
  issues: ConfigIssue[];
  graph: EntityGraph | undefined;
  deferred: ReadonlySet<string>;
} {
  const issues: ConfigIssue[] = [];
  const report = (path: (string | number)[], message: string): void => {
    issues.push({ path: formatPath(path), message });
  };

  const firstIndex = new Map<string, number>();
  config.entities.forEach((entity, i) => {
    const earlier = firstIndex.get(entity.name);
    if (earlier === undefined) firstIndex.set(entity.name, i);
    else
      report(
        ['entities', i, 'name'],
        `duplicate entity name "${entity.name}" (first declared at entities[${earlier}])`,
      );
  });
  const names = [...firstIndex.keys()];

  config.entities.forEach((entity, i) => {
    checkEntity(entity, ['entities', i], names, report);
  });

  if (issues.length > 0) return { issues, graph: undefined, deferred: new Set() };
  // Self-lookups and cycles are written in two phases; the order comes from the other lookups.
  const { graph, deferred } = orderWithDeferredLookups(
    config.entities.map((e) => ({ name: e.name, lookups: e.parents ?? [] })),
  );
  return { issues, graph, deferred };
}

type Report = (path: (string | number)[], message: string) => void;

function checkEntity(
  entity: RawEntity,
  at: (string | number)[],
  names: string[],
  report: Report,
): void {
  if (entity.readOnly) {
    const why =
      'a readOnly entity is filled by Heroku Connect from upstream and never written by sfsync';
    if (entity.source) report([...at, 'source'], `${why}; remove "source"`);
    if (entity.fields) report([...at, 'fields'], `${why}; remove "fields"`);
    if (entity.parents) report([...at, 'parents'], `${why}; remove "parents"`);
    if (entity.maxWrites !== undefined) report([...at, 'maxWrites'], `${why}; remove "maxWrites"`);
  } else if (!entity.source) {
    report(
      [...at, 'source'],
      'is required (or mark the entity "readOnly": true if Connect fills it from upstream)',
    );
  }

  const externalId = entity.mirror.externalId;
  if (CONNECT_OWNED_COLUMNS.includes(externalId)) {
    report(
      [...at, 'mirror', 'externalId'],
      `"${externalId}" belongs to Heroku Connect; name the mapping's own external ID column`,
    );
  }

  const lookups = new Map<string, number>();
  (entity.parents ?? []).forEach((parent, j) => {
    const path = [...at, 'parents', j];
    if (!names.includes(parent.entity)) {
      report(
        [...path, 'entity'],
        `unknown entity "${parent.entity}"${didYouMean(parent.entity, names)}`,
      );
    }
    if (parent.lookup === externalId) {
      report(
        [...path, 'lookup'],
        `"${parent.lookup}" is this entity's external ID column, not a lookup to a parent`,
      );
    } else if (CONNECT_OWNED_COLUMNS.includes(parent.lookup)) {
      report(
        [...path, 'lookup'],
        `"${parent.lookup}" belongs to Heroku Connect and is never written by sfsync`,
      );
    }
    const earlier = lookups.get(parent.lookup);
    if (earlier !== undefined)
      report(
        [...path, 'lookup'],
        `lookup column "${parent.lookup}" is already used by parents[${earlier}]`,
      );
    else lookups.set(parent.lookup, j);
  });

  for (const column of Object.keys(entity.fields ?? {})) {
    const path = [...at, 'fields', column];
    if (CONNECT_OWNED_COLUMNS.includes(column)) {
      report(path, `"${column}" belongs to Heroku Connect and is never written by sfsync`);
    } else if (column === externalId) {
      report(
        path,
        `"${column}" is the external ID column; ` +
          'it is written from source.key, so remove it from fields',
      );
    } else if (lookups.has(column)) {
      report(
        path,
        `"${column}" is a parent lookup column; ` +
          `it is written from parents[${lookups.get(column)}], so remove it from fields`,
      );
    }
  }
}
