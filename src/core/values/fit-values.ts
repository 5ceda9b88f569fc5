import type { ColumnInfo } from '../schema/catalog.js';
import { formatDecimal, parseDecimal, roundDecimal, scaleOf } from './decimal.js';
import { typeFamily } from './normalize.js';

/**
 * What a write changed in a value to make it fit its mirror column; the journal keeps the original.
 */
export type Adjustment =
  | { readonly kind: 'cut'; readonly from: string; readonly length: number; readonly to: string }
  | { readonly kind: 'rounded'; readonly from: string; readonly to: string };

/**
 * The values a write sends, made to fit their mirror columns the way the audit
 * already accepts them (see sameValue): text longer than a varchar is cut to
 * its length, a number with more decimals than a numeric's scale is rounded
 * half away from zero. Without this, a too-long text failed on every run and
 * an over-precise number was "updated" on every run, forever.
 * Only `columns` named are fitted (the mapped fields): an external ID or a
 * lookup is never cut, because a cut key would name another record.
 */
export function fitToColumns(
  values: Readonly<Record<string, unknown>>,
  columns: ReadonlyMap<string, ColumnInfo>,
  fitted: readonly string[],
): { values: Record<string, unknown>; adjusted: Record<string, Adjustment> | null } {
  const out: Record<string, unknown> = { ...values };
  const adjusted: Record<string, Adjustment> = {};
  for (const name of fitted) {
    const column = columns.get(name);
    const value = values[name];
    if (!column || value === null || value === undefined) continue;
    const adjustment = fitValue(value, column);
    if (!adjustment) continue;
    out[name] = adjustment.to;
    adjusted[name] = adjustment;
  }
  return { values: out, adjusted: Object.keys(adjusted).length > 0 ? adjusted : null };
}

function fitValue(value: unknown, column: ColumnInfo): Adjustment | undefined {
  const family = typeFamily(column.type);
  if (family === 'exact' && column.scale !== null && column.scale !== undefined) {
    const decimal = parseDecimal(value);
    if (!decimal || scaleOf(decimal) <= column.scale) return undefined;
    return {
      kind: 'rounded',
      from: String(value),
      to: formatDecimal(roundDecimal(decimal, column.scale)),
    };
  }
  if (
    (family === 'text' || family === 'padded') &&
    column.maxLength !== null &&
    (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
  ) {
    const chars = [...String(value)];
    if (chars.length <= column.maxLength) return undefined;
    return {
      kind: 'cut',
      from: String(value),
      length: chars.length,
      to: chars.slice(0, column.maxLength).join(''),
    };
  }
  return undefined;
}
