import type { Config } from '../../config/types.js';
import { renderJson } from './json.js';
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
