/**
 * `sfsync why ENTITY KEY`: one record's story, as a screen of text and tables or as JSON.
 *
 * `--format json` prints one document of this shape (keys always present; timestamps ISO 8601):
 *
 * ```jsonc
 * {
 *   "tool": "sfsync", "command": "why", "formatVersion": 1,
 *   "entity": "role",                 // the entity's name in the config
 *   "key": "1",                       // the external ID asked about, as text
 *   "readOnly": false,                // a read-only mapping: no source, never classified
 *   "readAt": "2025-01-01T00:00:00.000Z",   // the mirror server's clock
 *   "found": { "source": true, "mirror": true },
 *   "source": null | {                // null: no source row with this key (after source.where)
 *     "table": "roles",
 *     "rows": 1,                      // source rows with this key (more than 1: source_duplicate)
 *     "fields": { "<mirror column>": value },          // the first row's mapped values
 *     "parents": { "<lookup column>": "key" | null }    // each parent's key
 *   },
 *   "mirror": {
 *     "table": "contact_editor_affiliation__c",
 *     "rows": [ {                     // by id; more than one: duplicate
 *       "id": 4, "sfid": null | "a00…", "lastop": "FAILED" | null, "hcErr": "…" | null,
 *       "systemmodstamp": null | "…",
 *       "fields": { "<mirror column>": value }, "lookups": { "<lookup column>": "key" | null }
 *     } ]
 *   },
 *   "triggerLog": null | [ {          // null: the mirror has neither log table
 *     "table": "_trigger_log" | "_trigger_log_archive", "id": 17, "recordId": 4,
 *     "action": "INSERT", "state": "FAILED", "sfMessage": "…" | null,
 *     "createdAt": "…" | null, "processedAt": "…" | null
 *   } ],                              // every entry of the mirror rows, by id
 *   "classification": null | {        // null: read-only, or the key is on neither side
 *     "class": "failed",              // ok, pending, or a mismatch class, as `sfsync audit` says
 *     "reason": "…", "hint": "…" | null,
 *     "error": null | {               // the first FAILED row's error, parsed
 *       "code": "FOREIGN_KEY_NOT_FOUND", "statusCode": "INVALID_FIELD" | null, "message": "…",
 *       "field": null | "…", "fields": [], "value": null | "…", "object": null | "…",
 *       "duplicateOf": null | "…",
 *       "policy": "retry-after-parent",   // with the config's repair.policies applied
 *       "hint": "…"
 *     },
 *     "parent": null | { "entity": "school", "key": "…" | null, "state": "unsynced" },
 *     "fields": [ { "column": "…", "source": value, "mirror": value } ],
 *     "nextStep": {                   // what `sfsync repair` would do now (default strategy)
 *       "action": "reinsert" | "recapture" | "insert" | "update" | "dedupe" | "defer" | "skip"
 *                 | "none",
 *       "reason": "…"
 *     }
 *   },
 *   "journal": [ {                    // sfsync's changes to this key, oldest first ([]: none)
 *     "id": 3, "runId": "…", "command": "repair", "runStartedAt": "…", "runStatus": "done",
 *     "action": "reinsert", "mirrorId": 4, "before": {…} | null, "after": {…} | null,
 *     "at": "…", "outcome": null | "confirmed" | "failed_again" | "unconfirmed",
 *     "outcomeCode": null | "…"
 *   } ],
 *   "parents": [ {                    // each parent link, then the parent's own, up to the roots
 *     "entity": "school", "column": "school_id", "lookup": "editor__r__editoruuid__c",
 *     "optional": false, "deferred": false,
 *     "key": "…" | null,              // null: the record names no parent there
 *     "state": "ready" | "unsynced" | "failed" | "absent",
 *     "mirrorId": 1 | null, "sfid": "…" | null, "lastop": "…" | null,
 *     "blocks": false,                // holds an insert of the child back
 *     "cut": null | "cycle" | "depth",  // why its own parents are not listed
 *     "parents": [ … ]
 *   } ],
 *   "blockedBy": [ { "entity": "school", "key": "…" | null, "state": "unsynced" } ],
 *                                     // the blocking links, the record's first; the last is
 *                                     // where to start ([]: nothing blocks)
 *   "attempts": null | {              // repair's re-sends (sfsync.attempts); null: none recorded
 *     "attempts": 2, "maxAttempts": 5, "lastAttemptAt": "…", "lastCode": "UNABLE_TO_LOCK_ROW",
 *     "startsAgain": false,           // the source changed since the failure: counted afresh
 *     "gaveUp": false,                // no re-send until the source changes or --reset-attempts
 *     "nextAttemptAt": null | "…"     // when the backoff allows the next (null: now, or never;
 *                                     // a record that has an sfid now: false and null)
 *   }
 * }
 * ```
 */
import { jsonValue } from '../core/values/normalize.js';
import { utc } from '../core/time-text.js';
import { blockingPath, type ChainLink } from '../core/why/parent-chain.js';
import {
  onNeitherSide,
  type JournalAction,
  type LogEntry,
  type RecordStory,
  type StoryAttempts,
  type StoryError,
  type Verdict,
} from '../core/why/story.js';
import { renderJson } from './json.js';
import { imageChanges, terminalChangeLines, valueText } from './field-change.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';
import { cellText, wrapText } from './terminal-text.js';

export function renderWhyJson(story: RecordStory): string {
  return renderJson('why', {
    entity: story.entity,
    key: story.key,
    readOnly: story.readOnly,
    readAt: story.readAt.toISOString(),
    found: { source: story.source !== null, mirror: story.mirror.length > 0 },
    source: story.source && {
      table: story.sourceTable,
      rows: story.source.count,
      fields: jsonValues(story.source.row.fields),
      parents: story.source.row.parents,
    },
    mirror: {
      table: story.mirrorTable,
      rows: story.mirror.map((row) => ({
        id: row.id,
        sfid: row.sfid,
        lastop: row.lastop,
        hcErr: row.hcErr,
        systemmodstamp: iso(row.systemmodstamp),
        fields: jsonValues(row.fields),
        lookups: row.lookups,
      })),
    },
    triggerLog: story.triggerLog?.map(logJson) ?? null,
    classification: story.verdict && verdictJson(story.verdict),
    journal: story.journal.map(journalJson),
    parents: story.parents.map(linkJson),
    blockedBy: blockingPath(story.parents).map(({ entity, key, state }) => ({
      entity,
      key,
      state,
    })),
    attempts: story.attempts && {
      ...story.attempts,
      lastAttemptAt: story.attempts.lastAttemptAt.toISOString(),
      nextAttemptAt: iso(story.attempts.nextAttemptAt),
    },
  });
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

function jsonValues(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, jsonValue(v)]));
}

function logJson(entry: LogEntry) {
  return { ...entry, createdAt: iso(entry.createdAt), processedAt: iso(entry.processedAt) };
}

function errorJson(error: StoryError) {
  return {
    code: error.code,
    statusCode: error.statusCode,
    message: error.message,
    field: error.field ?? null,
    fields: error.fields ?? [],
    value: error.value ?? null,
    object: error.object ?? null,
    duplicateOf: error.duplicateOf ?? null,
    policy: error.policy,
    hint: error.hint,
  };
}

function verdictJson(verdict: Verdict) {
  return {
    class: verdict.class,
    reason: verdict.reason,
    hint: verdict.hint,
    error: verdict.error && errorJson(verdict.error),
    parent: verdict.parent,
    fields: verdict.fields,
    nextStep: verdict.nextStep,
  };
}

function journalJson(action: JournalAction) {
  return {
    ...action,
    runStartedAt: action.runStartedAt.toISOString(),
    at: action.at.toISOString(),
  };
}

function linkJson(link: ChainLink): Record<string, unknown> {
  return { ...link, parents: link.parents.map(linkJson) };
}

/** The story on one screen: what is wrong and what comes next first, then the evidence. */
export function renderWhyTable(story: RecordStory, width: number = DEFAULT_WIDTH): string {
  const text = (line: string) => `${wrapText(cellText(line), width)}\n`;
  if (onNeitherSide(story)) {
    const source = story.sourceTable ? `the source (${story.sourceTable}) nor ` : '';
    return text(
      `${story.entity} ${story.key}: neither ${source}the mirror (${story.mirrorTable}) ` +
        'has this key',
    );
  }
  const parts = [headline(story, text)];
  parts.push(`\n${recordTable(story, width, text)}`);
  parts.push(`\n${triggerLogSection(story, width, text)}`);
  parts.push(`\n${journalSection(story.journal, width, text)}`);
  if (story.parents.length > 0) parts.push(`\n${parentsSection(story.parents, width, text)}`);
  return parts.join('');
}

type Text = (line: string) => string;

function headline(story: RecordStory, text: Text): string {
  const { verdict } = story;
  if (!verdict)
    return text(
      `${story.entity} ${story.key}: read-only mapping (Connect fills it from Salesforce; ` +
        'the audit counts it, never classifies it)',
    );
  const lines = [text(`${story.entity} ${story.key}: ${verdict.class}`), text(verdict.reason)];
  const { error } = verdict;
  if (error) {
    const status =
      error.statusCode && error.statusCode !== error.code ? ` (${error.statusCode})` : '';
    lines.push(text(`error: ${error.code}${status}, policy ${error.policy}`));
  }
  lines.push(text(`next step: ${verdict.nextStep.action} — ${verdict.nextStep.reason}`));
  if (verdict.hint) lines.push(text(`hint: ${verdict.hint}`));
  if (story.attempts) {
    // Once the row is no longer failing, the backoff holds nothing back: say it landed instead.
    const failing = verdict.class === 'failed' || verdict.class === 'gave_up';
    lines.push(text(`attempts: ${attemptsLine(story.attempts, failing)}`));
  }
  const blocked = blockingPath(story.parents).at(-1);
  if (blocked)
    lines.push(
      text(
        `start with: ${blocked.entity} ${blocked.key ?? '(NULL in the source)'} (${blocked.state})`,
      ),
    );
  return lines.join('');
}

function attemptsLine(a: StoryAttempts, failing: boolean): string {
  const last = `the last at ${utc(a.lastAttemptAt)}${a.lastCode ? ` (${a.lastCode})` : ''}`;
  const next = !failing
    ? 'not failing now'
    : a.startsAgain
      ? 'the source changed since, so the next re-send starts the count again'
      : a.gaveUp
        ? 'given up: re-sent once the source row changes, or after repair --reset-attempts'
        : `next allowed at ${utc(a.nextAttemptAt!)}`;
  return `${a.attempts} of ${a.maxAttempts} re-sends, ${last}; ${next}`;
}

type MirrorRowOf = RecordStory['mirror'][number];

/**
 * Source and mirror side by side: Connect's columns, then each mapped field and lookup (`≠`: they
 * differ). A side without a row is said in a line instead of a column of blanks.
 */
function recordTable(story: RecordStory, width: number, text: Text): string {
  const drift = new Set(story.verdict?.fields.map((f) => f.column) ?? []);
  const source = story.source?.row;
  const { mirror } = story;
  const missing = [
    ...(story.readOnly || source ? [] : [`source: no row of ${story.sourceTable} has this key`]),
    ...(mirror.length > 0 ? [] : [`mirror: no row of ${story.mirrorTable} has this key`]),
  ];
  const count = story.source && story.source.count > 1 ? ` (${story.source.count} rows)` : '';
  const head = [
    'Column',
    ...(source ? [`Source${count}`] : []),
    ...mirror.map((row) => `Mirror id ${row.id}`),
  ];
  const sourceCell = (value: () => unknown) => (source ? [valueText(value())] : []);
  const rows: string[][] = [];
  if (mirror.length > 0) {
    const system = (column: string, value: (row: MirrorRowOf) => string) =>
      rows.push([column, ...(source ? [''] : []), ...mirror.map(value)]);
    system('sfid', (row) => row.sfid ?? 'NULL');
    system('_hc_lastop', (row) => row.lastop ?? 'NULL');
    system('_hc_err', (row) => row.hcErr ?? '');
    system('systemmodstamp', (row) => when(row.systemmodstamp, ''));
  }
  const named = (column: string) => (drift.has(column) ? `${column} ≠` : column);
  const first = mirror[0];
  for (const column of new Set([...keys(source?.fields), ...keys(first?.fields)]))
    rows.push([
      named(column),
      ...sourceCell(() => jsonValue(source?.fields[column])),
      ...mirror.map((row) => valueText(jsonValue(row.fields[column]))),
    ]);
  for (const lookup of new Set([...keys(source?.parents), ...keys(first?.lookups)]))
    rows.push([
      named(lookup),
      ...sourceCell(() => source?.parents[lookup] ?? null),
      ...mirror.map((row) => valueText(row.lookups[lookup] ?? null)),
    ]);
  const table = rows.length > 0 ? `${renderTable(head, rows, { width })}\n` : '';
  return `${missing.map(text).join('')}${table}`;
}

const keys = (values: Readonly<Record<string, unknown>> | undefined): string[] =>
  Object.keys(values ?? {});

const when = (date: Date | null, otherwise: string): string => (date ? utc(date) : otherwise);

function triggerLogSection(story: RecordStory, width: number, text: Text): string {
  const log = story.triggerLog;
  if (log === null)
    return text('trigger log: the mirror has no _trigger_log or _trigger_log_archive');
  if (log.length === 0)
    return text(
      story.mirror.length === 0
        ? 'trigger log: no mirror row, so no entries'
        : 'trigger log: no entries for these rows (none written, or older than the retention)',
    );
  const title = text(`trigger log (${log.length} ${log.length === 1 ? 'entry' : 'entries'}):`);
  // Few columns, so a narrow terminal still has room for the message; the row only when there are
  // several.
  const several = story.mirror.length > 1;
  const table = renderTable(
    ['Entry', ...(several ? ['Row'] : []), 'Action', 'Created → processed', 'Message'],
    log.map((e) => [
      `${e.id}\n${e.table === '_trigger_log' ? 'live' : 'archive'}`,
      ...(several ? [String(e.recordId)] : []),
      `${e.action ?? '?'}\n${e.state ?? '?'}`,
      `${when(e.createdAt, '?')}\n→ ${when(e.processedAt, '—')}`,
      e.sfMessage ?? '',
    ]),
    { width },
  );
  return `${title}${table}\n`;
}

function journalSection(journal: readonly JournalAction[], width: number, text: Text): string {
  if (journal.length === 0) return text('journal: sfsync has not changed this record');
  return `${text(`journal (${journal.length}):`)}${renderTable(
    ['Run', 'Command', 'At', 'Action', 'Change'],
    journal.map((a) => [
      a.runId.slice(0, 8),
      `${a.command}\n(${a.runStatus})`,
      utc(a.at),
      a.action,
      [
        ...change(a),
        ...(a.outcome ? [`→ ${a.outcome}${a.outcomeCode ? ` (${a.outcomeCode})` : ''}`] : []),
      ].join('\n'),
    ]),
    { width },
  )}\n`;
}

/** What an entry changed, as `sfsync journal` words it. */
function change(action: JournalAction): string[] {
  if (action.action === 'delete')
    return [`deleted (sfid ${String(action.before?.sfid ?? 'NULL')})`];
  if (action.action === 'insert') return ['inserted'];
  if (action.action === 'recapture') return ['queued again'];
  const changes = imageChanges(action.before, action.after);
  return changes.length === 0 ? ['wrote the values it had'] : terminalChangeLines(changes);
}

function parentsSection(links: readonly ChainLink[], width: number, text: Text): string {
  const rows: string[][] = [];
  const add = (link: ChainLink, depth: number) => {
    rows.push([
      `${'·'.repeat(depth)}${depth > 0 ? ' ' : ''}${link.entity}`,
      link.key ?? '(NULL)',
      link.key === null ? '—' : link.sfid ? `${link.state} (${link.sfid})` : link.state,
      notes(link).join(', '),
    ]);
    for (const parent of link.parents) add(parent, depth + 1);
  };
  for (const link of links) add(link, 0);
  const table = renderTable(['Parent', 'Key', 'State', 'Note'], rows, { width });
  return `${text('parents:')}${table}\n`;
}

function notes(link: ChainLink): string[] {
  return [
    ...(link.blocks ? ['blocks'] : []),
    ...(link.optional ? ['optional'] : []),
    ...(link.deferred ? ['deferred'] : []),
    ...(link.cut === 'cycle' ? ['already above: not followed'] : []),
    ...(link.cut === 'depth' ? ['deeper parents not read'] : []),
  ];
}
