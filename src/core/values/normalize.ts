import type { ColumnInfo } from '../schema/catalog.js';
import { parseDecimal, roundDecimal, sameDecimal } from './decimal.js';

/**
 * Whether a source value and the mirror value Connect holds mean the same to
 * Salesforce: empty text is NULL there; integers and numeric compare exactly as
 * decimals, the source rounded to the column's scale as PostgreSQL rounds it on
 * write; floats by their own precision; booleans by value; datetimes to the
 * second in UTC; and a long string may be cut to the mirror column's length,
 * with or without an ellipsis (sfsync's own writes cut it so).
 */
export function sameValue(source: unknown, mirror: unknown, column: ColumnInfo): boolean {
  switch (typeFamily(column.type)) {
    case 'exact': {
      const scale = column.scale ?? undefined;
      return compareBy(source, mirror, parseDecimal, (a, b) =>
        sameDecimal(scale === undefined ? a : roundDecimal(a, scale), b),
      );
    }
    case 'double':
      return compareBy(source, mirror, toNumber, (a, b) => withinUlps(a, b, Number.EPSILON));
    case 'real':
      return compareBy(source, mirror, toNumber, (a, b) =>
        withinUlps(Math.fround(a), Math.fround(b), 2 ** -23),
      );
    case 'boolean':
      return compareBy(source, mirror, toBoolean, (a, b) => a === b);
    case 'timestamp':
      return compareBy(source, mirror, toEpochSecond, (a, b) => a === b);
    case 'date':
      return compareBy(source, mirror, toDateString, (a, b) => a === b);
    case 'padded':
      // char(n) pads with spaces on the way in; the padding means nothing.
      return sameText(toText(source).trimEnd(), toText(mirror).trimEnd(), column.maxLength);
    default:
      return sameText(toText(source), toText(mirror), column.maxLength);
  }
}

type Family = 'exact' | 'double' | 'real' | 'boolean' | 'timestamp' | 'date' | 'padded' | 'text';

/**
 * A column's family from its type as format_type names it (no modifiers). Whole names only: an
 * array (`real[]`) or a user type (`realm`, `timestamp_kind`) is compared as text.
 */
export function typeFamily(type: string): Family {
  return FAMILIES.get(type) ?? 'text';
}

const FAMILIES: ReadonlyMap<string, Family> = new Map([
  ['numeric', 'exact'],
  ['integer', 'exact'],
  ['bigint', 'exact'],
  ['smallint', 'exact'],
  ['double precision', 'double'],
  ['real', 'real'],
  ['character', 'padded'],
  ['bpchar', 'padded'],
  ['boolean', 'boolean'],
  ['timestamp without time zone', 'timestamp'],
  ['timestamp with time zone', 'timestamp'],
  ['date', 'date'],
]);

/**
 * Both empty is equal; one empty is a difference; otherwise compare the converted values
 * (unconvertible → as text).
 */
function compareBy<T>(
  source: unknown,
  mirror: unknown,
  convert: (v: unknown) => T | undefined,
  equal: (a: T, b: T) => boolean,
): boolean {
  // A shortcut: no convert reads an empty value, and no other value's text is empty.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, see above
  if (isEmpty(source) || isEmpty(mirror)) return isEmpty(source) && isEmpty(mirror);
  const a = convert(source);
  const b = convert(mirror);
  if (a === undefined || b === undefined) return toText(source) === toText(mirror);
  return equal(a, b);
}

/**
 * Equal within a few units in the last place of the type (`epsilon`: its machine epsilon), not a
 * fixed tolerance; NaN is NaN.
 */
function withinUlps(a: number, b: number, epsilon: number): boolean {
  return (
    a === b ||
    (Number.isNaN(a) && Number.isNaN(b)) ||
    Math.abs(a - b) <= 4 * epsilon * Math.max(Math.abs(a), Math.abs(b))
  );
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (['t', 'true', '1', 'yes', 'y', 'on'].includes(text)) return true;
    if (['f', 'false', '0', 'no', 'n', 'off'].includes(text)) return false;
  }
  return undefined;
}

/** A datetime without a zone is UTC, as Heroku Connect stores them. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string') return undefined;
  // PostgreSQL writes a whole-hour offset as `+02`, which Date cannot read: `+02:00`.
  const text = value
    .trim()
    .replace(' ', 'T')
    .replace(/(T[\d:.]+[+-]\d\d)$/, '$1:00');
  const zoned = /(Z|[+-]\d\d(:?\d\d)?)$/.test(text) || !/T/.test(text) ? text : `${text}Z`;
  const date = new Date(/T/.test(zoned) ? zoned : `${zoned}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toEpochSecond(value: unknown): number | undefined {
  const date = toDate(value);
  return date && Math.floor(date.getTime() / 1000);
}

function toDateString(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return value.trim();
  return toDate(value)?.toISOString().slice(0, 10);
}

function toText(value: unknown): string {
  if (isEmpty(value)) return '';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const ELLIPSES = ['…', '...'];

function sameText(source: string, mirror: string, maxLength: number | null): boolean {
  if (source === mirror) return true;
  if (maxLength === null || [...source].length <= maxLength) return false;
  if (mirror === [...source].slice(0, maxLength).join('')) return true;
  return ELLIPSES.some(
    (ellipsis) => mirror.endsWith(ellipsis) && source.startsWith(mirror.slice(0, -ellipsis.length)),
  );
}

/** A value as JSON can carry it: dates as ISO strings, bigints as strings. */
export function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return null;
  return value;
}
