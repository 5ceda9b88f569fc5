import type { Finding } from '../core/schema/diagnose.js';
import type { DatabaseStatus, DoctorReport } from '../core/schema/doctor-report.js';
import { renderJson } from './json.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';

const LEVEL_RANK: Record<Finding['level'], number> = { error: 0, warning: 1, info: 2 };

export function renderDoctorTable(report: DoctorReport, width: number = DEFAULT_WIDTH): string {
  const databases = renderTable(
    ['Database', 'Where', 'Schema', 'Server', 'Reachable', 'TLS'],
    [databaseRow(report.databases.source), databaseRow(report.databases.mirror)],
    { width },
  );
  const findings = [...report.findings].sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
  const table = renderTable(
    ['Level', 'Database', 'Entity', 'Finding'],
    findings.map((f) => [f.level, f.database, f.entity ?? '—', f.message]),
    { width },
  );
  return `${databases}\n${table}\n${verdict(report)}\n`;
}

export function renderDoctorJson(report: DoctorReport): string {
  return renderJson('doctor', doctorJson(report));
}

/** The doctor report as the JSON contract has it (also inside `init --format json`). */
export function doctorJson(report: DoctorReport) {
  return {
    ok: report.ok,
    todos: report.todos,
    databases: report.databases,
    findings: report.findings.map((f) => ({
      level: f.level,
      code: f.code,
      database: f.database,
      entity: f.entity ?? null,
      message: f.message,
    })),
  };
}

function databaseRow(status: DatabaseStatus): string[] {
  return [
    status.role,
    status.label ?? '—',
    status.schema,
    status.serverVersion ?? '—',
    status.reachable ? 'yes' : 'no',
    status.tls === undefined ? '—' : status.tls ? 'yes' : 'no',
  ];
}

function verdict(report: DoctorReport): string {
  const count = (level: Finding['level']) =>
    report.findings.filter((f) => f.level === level).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const warnings = plural(count('warning'), 'warning');
  const todos = plural(report.todos, 'todo note');
  if (count('error') > 0) {
    const settle = report.todos > 0 && !report.todosAllowed ? `, then ${todos} to settle` : '';
    return `not usable: ${plural(count('error'), 'error')} and ${warnings} to fix first${settle}`;
  }
  if (!report.ok) {
    return (
      `usable once ${todos} ${report.todos === 1 ? 'is' : 'are'} settled: audit works now; ` +
      'repair and backfill refuse to write until each note is settled ' +
      `and deleted from the config (or --allow-todo) (${warnings})`
    );
  }
  const works = `sfsync can work with these databases (${warnings})`;
  if (report.todos > 0) return `healthy with ${todos} left (--allow-todo): ${works}`;
  return `healthy: ${works}`;
}
