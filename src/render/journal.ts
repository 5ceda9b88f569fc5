import { utc } from '../core/time-text.js';
import type { Adjustment } from '../core/values/fit-values.js';
import type { JournalEntryView, JournalView, RunView } from '../core/journal/views.js';
import { renderJson } from './json.js';
import { imageChanges, terminalChangeLines } from './field-change.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';
import { cellText, MAX_CELL_CHARS } from './terminal-text.js';

export function renderJournalTable(view: JournalView, width: number = DEFAULT_WIDTH): string {
  if (view.kind === 'runs') {
    if (view.runs.length === 0) return 'no runs recorded yet\n';
    return `${renderTable(
      ['Run', 'Command', 'Started', 'Status', 'Changes', 'Who', 'Host'],
      view.runs.map((r) => [
        r.runId,
        r.command,
        utc(r.startedAt),
        r.status,
        r.changes,
        r.actor ?? '—',
        r.host ?? '—',
      ]),
      { width },
    )}\n`;
  }
  const { run, entries } = view;
  const actor = cellText(run.actor ?? 'unknown', 200);
  const host = cellText(run.host ?? 'unknown', 200);
  const finished = run.finishedAt ? utc(run.finishedAt) : '(not finished)';
  const head =
    `run ${run.runId}: ${run.command} by ${actor} on ${host}, ` +
    `${utc(run.startedAt)} → ${finished}, ${run.status}\n` +
    `${cellText(run.commandLine ?? '')}\n`;
  if (entries.length === 0) return `${head}no changes\n`;
  return `${head}${renderTable(
    ['#', 'Entity', 'Action', 'Key', 'Mirror id', 'At', 'Change'],
    entries.map((e) => [
      e.id,
      e.entity,
      e.action,
      e.key ?? '—',
      e.mirrorId ?? '—',
      utc(e.at),
      [describe(e), outcomeText(e)].filter(Boolean).join('\n'),
    ]),
    { width, cellChars: 4 * MAX_CELL_CHARS },
  )}\n`;
}

/** What became of the row an entry sent, once a run settled it. */
function outcomeText(entry: JournalEntryView): string {
  if (entry.outcome === null) return '';
  const outcome = entry.outcome.replace('_', ' ');
  return `→ ${entry.outcomeCode ? `${outcome} (${entry.outcomeCode})` : outcome}`;
}

/** What an entry did, one line a part: the change, each value sfsync fitted to its column. */
function describe(entry: JournalEntryView): string {
  return [
    ...what(entry),
    ...Object.entries(entry.adjusted ?? {}).map(([column, a]) =>
      cellText(adjustment(column, a as Adjustment), 200),
    ),
  ].join('\n');
}

function adjustment(column: string, a: Adjustment): string {
  return a.kind === 'cut'
    ? `${column} cut from ${a.length} to ${[...a.to].length} characters`
    : `${column} rounded ${a.from} → ${a.to}`;
}

function what(entry: JournalEntryView): string[] {
  if (entry.action === 'delete') {
    const sfid = String(entry.before?.sfid ?? 'NULL');
    return [cellText(`deleted (sfid ${sfid}, ${String(entry.before?._hc_lastop ?? '')})`, 200)];
  }
  if (entry.action === 'insert') return ['inserted'];
  if (entry.action === 'recapture') {
    const logId = (entry.after as { trigger_log_id?: unknown } | null)?.trigger_log_id;
    return [cellText(`queued again (trigger log ${String(logId ?? '?')})`, 200)];
  }
  // The journal keeps the whole row before and after the update: its changed values, old → new.
  const changes = imageChanges(entry.before, entry.after);
  if (changes.length === 0) return ['wrote the values it had'];
  return terminalChangeLines(changes);
}

export function renderJournalJson(view: JournalView): string {
  if (view.kind === 'runs') return renderJson('journal', { runs: view.runs.map(runJson) });
  return renderJson('journal', {
    run: runJson(view.run),
    entries: view.entries.map((e) => ({ ...e, at: e.at.toISOString() })),
  });
}

function runJson(r: RunView) {
  return {
    ...r,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
