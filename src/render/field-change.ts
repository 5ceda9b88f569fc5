import type { FieldDrift } from '../core/audit/types.js';
import { cellText } from './terminal-text.js';

/** A value in a change shows at most this many characters; --format json has it whole. */
export const MAX_CHANGE_VALUE_CHARS = 40;

/** Changes a table, Markdown or HTML row lists; the rest are counted (CSV and JSON list all). */
export const CHANGES_SHOWN = 5;

/** One column's value before and after a write (or, for drift, the mirror's and the source's). */
export interface ValueChange {
  readonly column: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** Drift as a change: the mirror's value is what a repair replaces with the source's. */
export function driftChanges(fields: readonly FieldDrift[]): ValueChange[] {
  return fields.map((f) => ({ column: f.column, from: f.mirror, to: f.source }));
}

/** `column: "old" → "new"`, each value as JSON and capped. */
export function changeText(change: ValueChange): string {
  return `${change.column}: ${valueText(change.from)} → ${valueText(change.to)}`;
}

/**
 * A value as JSON (a string quoted, so `"42"` and `42`, `"null"` and null, read apart), capped:
 * a long text cut inside its quotes, with `…`.
 */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(capped(value));
  if (typeof value === 'bigint') return capped(String(value));
  return capped(JSON.stringify(value) ?? String(value));
}

function capped(text: string): string {
  if (text.length <= MAX_CHANGE_VALUE_CHARS) return text;
  // By code point, so a cut never splits a surrogate pair.
  const chars = [...text];
  if (chars.length <= MAX_CHANGE_VALUE_CHARS) return text;
  return `${chars.slice(0, MAX_CHANGE_VALUE_CHARS).join('')}…`;
}

/** The first `shown` changes, one a line, then how many columns more. */
export function changeLines(
  changes: readonly ValueChange[],
  shown: number = CHANGES_SHOWN,
): string[] {
  const lines = changes.slice(0, shown).map(changeText);
  const more = changes.length - lines.length;
  if (more > 0) lines.push(`… and ${more} more column${more === 1 ? '' : 's'}`);
  return lines;
}

/** Every change of a row in one CSV field, `; ` between them; empty when there is none. */
export function csvChanges(changes: readonly ValueChange[]): string {
  return changes.map(changeText).join('; ');
}

/** changeLines for a terminal: escaped, and a line break in a column's name shown as `\n`. */
export function terminalChangeLines(changes: readonly ValueChange[]): string[] {
  return changeLines(changes).map((line) => cellText(line).replaceAll('\n', '\\n'));
}

/**
 * What an update wrote, from the journal's row images: each column whose value differs, but
 * Connect's own bookkeeping (the trigger sets `_hc_lastop` on every write).
 */
export function imageChanges(
  before: Readonly<Record<string, unknown>> | null,
  after: Readonly<Record<string, unknown>> | null,
): ValueChange[] {
  return Object.keys(after ?? {})
    .filter(
      (column) =>
        !BOOKKEEPING.has(column) &&
        JSON.stringify(after?.[column]) !== JSON.stringify(before?.[column]),
    )
    .map((column) => ({ column, from: before?.[column] ?? null, to: after?.[column] ?? null }));
}

const BOOKKEEPING: ReadonlySet<string> = new Set(['_hc_lastop', '_hc_err']);
