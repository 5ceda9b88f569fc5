import type { RunConfig } from '../config/types.js';
import type { DoctorReport } from '../core/schema/doctor-report.js';
import { doctorJson, renderDoctorTable } from './doctor.js';
import { renderJson } from './json.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';

export function renderInitTable(
  path: string,
  config: RunConfig,
  report: DoctorReport,
  urls: { sourceEnv: string; mirrorEnv: string },
  width: number = DEFAULT_WIDTH,
): string {
  const writable = config.entities.filter((e) => !e.readOnly);
  const readOnly = config.entities.length - writable.length;
  const rows = config.graph.order.map((name) => {
    const entity = config.entities.find((e) => e.name === name)!;
    return [
      name,
      entity.mirror.table,
      entity.readOnly ? 'read-only' : entity.source.table,
      entity.readOnly ? '—' : entity.fields.length,
      entity.parents.map((p) => p.entity).join(', ') || '—',
      config.todos.filter((t) => t.entity === name).length || '—',
    ];
  });
  const lines = [
    `wrote ${path}: ${config.entities.length} entities ` +
      `(${writable.length} with a source table, ${readOnly} read-only), ` +
      `${config.todos.length} todo note(s)`,
    renderTable(['Entity', 'Mirror table', 'Source table', 'Fields', 'Parents', 'Todo'], rows, {
      width,
    }),
    `The config reads its URLs from $${urls.sourceEnv} and $${urls.mirrorEnv}. ` +
      'Settle the todo notes (they are in the file, and doctor lists them), ' +
      'then run `sfsync audit`.',
    '',
    renderDoctorTable(report, width).trimEnd(),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderInitJson(path: string, config: RunConfig, report: DoctorReport): string {
  return renderJson('init', {
    file: path,
    order: config.graph.order,
    entities: config.entities.map((e) => ({
      name: e.name,
      mirrorTable: e.mirror.table,
      readOnly: e.readOnly,
      sourceTable: e.readOnly ? null : e.source.table,
      fields: e.readOnly ? 0 : e.fields.length,
      parents: e.parents.map((p) => p.entity),
    })),
    todos: config.todos.map((t) => ({ entity: t.entity ?? null, note: t.note })),
    doctor: doctorJson(report),
  });
}
