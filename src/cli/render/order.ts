import type { Config } from '../../config/types.js';
import { renderCsv } from './csv.js';
import { renderJson } from './json.js';
import { mermaidGraph } from './markdown-text.js';
import { renderTable } from './table.js';

export function renderOrderTable(config: Config): string {
  const byName = new Map(config.entities.map((entity) => [entity.name, entity]));
  const rows = config.graph.order.map((name, i) => {
    const entity = byName.get(name)!;
    const parents = entity.parents.map((p) => `${p.entity} (${p.lookup}${p.optional ? ', optional' : ''})`).join('\n') || '—';
    return [i + 1, config.graph.levelOf.get(name)!, name + (entity.readOnly ? ' (read-only)' : ''), entity.mirror.table, parents];
  });
  return `${renderTable(['#', 'Level', 'Entity', 'Mirror table', 'Parents (lookup column)'], rows)}\n`;
}

export function renderOrderJson(config: Config): string {
  return renderJson('backfill', { order: config.graph.order, levels: config.graph.levels });
}

export function renderOrder(config: Config, format: 'table' | 'json' | 'markdown' | 'csv'): string {
  switch (format) {
    case 'json':
      return renderOrderJson(config);
    case 'markdown':
      return `## Canonical order\n\nParents before children: ${config.graph.order.join(' → ')}\n\n${mermaidGraph(config.graph)}\n`;
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
      return renderOrderTable(config);
  }
}
