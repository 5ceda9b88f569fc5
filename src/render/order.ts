import type { Config } from '../config/types.js';

/** What the order needs of a config, resolved or not. */
type OrderedConfig = Pick<Config, 'entities' | 'graph'>;
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { mermaidGraph } from './markdown-text.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';

export function renderOrderTable(config: OrderedConfig, width: number = DEFAULT_WIDTH): string {
  const byName = new Map(config.entities.map((entity) => [entity.name, entity]));
  const rows = config.graph.order.map((name, i) => {
    const entity = byName.get(name)!;
    const parents =
      entity.parents
        .map((p) => {
          const notes = `${p.optional ? ', optional' : ''}${p.deferred ? ', phase 2' : ''}`;
          return `${p.entity} (${p.lookup}${notes})`;
        })
        .join('\n') || '—';
    return [
      i + 1,
      config.graph.levelOf.get(name)!,
      name + (entity.readOnly ? ' (read-only)' : ''),
      entity.mirror.table,
      parents,
    ];
  });
  const deferred = deferredLinks(config);
  const links = deferred.map((d) => `${d.entity}.${d.lookup} → ${d.parent}`).join(', ');
  const phase2 =
    deferred.length === 0
      ? ''
      : `phase 2, once those rows have an sfid: ${links} ` +
        '(a self-lookup or the lookup that closes a cycle: ' +
        'rows are inserted without it, then updated)\n';
  const head = ['#', 'Level', 'Entity', 'Mirror table', 'Parents (lookup column)'];
  return `${renderTable(head, rows, { width })}\n${phase2}`;
}

export function renderOrderJson(config: OrderedConfig): string {
  return renderJson('backfill', {
    order: config.graph.order,
    levels: config.graph.levels,
    deferred: deferredLinks(config),
  });
}

/** The lookups written in the second phase, in canonical order. */
function deferredLinks(
  config: OrderedConfig,
): { entity: string; lookup: string; parent: string }[] {
  const byName = new Map(config.entities.map((entity) => [entity.name, entity]));
  return config.graph.order.flatMap((name) =>
    byName
      .get(name)!
      .parents.filter((p) => p.deferred)
      .map((p) => ({ entity: name, lookup: p.lookup, parent: p.entity })),
  );
}

export function renderOrder(
  config: OrderedConfig,
  format: 'table' | 'json' | 'markdown' | 'csv',
  width: number = DEFAULT_WIDTH,
): string {
  switch (format) {
    case 'json':
      return renderOrderJson(config);
    case 'markdown': {
      const chain = config.graph.order.join(' → ');
      const graph = mermaidGraph(config.graph, new Map(), new Set(), deferredLinks(config));
      return `## Canonical order\n\nParents before children: ${chain}\n\n${graph}\n`;
    }
    case 'csv':
      return renderCsv(
        ['position', 'level', 'entity', 'mirror_table', 'parents'],
        config.graph.order.map((name, i) => [
          i + 1,
          config.graph.levelOf.get(name),
          name,
          config.entities.find((e) => e.name === name)!.mirror.table,
          (config.graph.parentsOf.get(name) ?? []).join(' '),
        ]),
      );
    default:
      return renderOrderTable(config, width);
  }
}
