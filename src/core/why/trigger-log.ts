import type { TriggerLogEntry } from '../audit/types.js';
import type { LogEntry } from './story.js';

/**
 * Each mirror row's newest entry (highest id) over both logs, as the audit reads it
 * (db/audit/read-mirror.ts newestLogEntries), for the rows classification looks at: those without
 * an sfid and the FAILED ones (db/audit readTriggerLog is asked for no others).
 */
export function newestEntries(
  rows: readonly { readonly id: number; readonly sfid: string | null; lastop: string | null }[],
  entries: readonly LogEntry[],
): Map<number, TriggerLogEntry> {
  const wanted = new Set(
    rows.filter((row) => row.sfid === null || row.lastop === 'FAILED').map((row) => row.id),
  );
  const newest = new Map<number, TriggerLogEntry>();
  for (const entry of entries) {
    if (!wanted.has(entry.recordId)) continue;
    const held = newest.get(entry.recordId);
    if (held && held.id >= entry.id) continue;
    newest.set(entry.recordId, {
      id: entry.id,
      createdAt: entry.createdAt,
      state: entry.state,
      action: entry.action,
      sfMessage: entry.sfMessage,
    });
  }
  return newest;
}

/**
 * When a parent key's rows without an sfid were last written, as the audit reads it
 * (readUnsyncedSince): the latest of their newest entries' times; null when the log holds none;
 * undefined when every row has an sfid (the key is not unsynced).
 */
export function unsyncedSince(
  rows: readonly { readonly id: number; readonly sfid: string | null }[],
  entries: readonly LogEntry[],
): Date | null | undefined {
  const unsynced = rows.filter((row) => row.sfid === null);
  if (unsynced.length === 0) return undefined;
  const newest = newestEntries(
    unsynced.map((row) => ({ ...row, lastop: null })),
    entries,
  );
  let latest: Date | null = null;
  for (const entry of newest.values()) {
    if (entry.createdAt && (latest === null || entry.createdAt > latest)) latest = entry.createdAt;
  }
  return latest;
}
