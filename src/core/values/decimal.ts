/**
 * Exact decimal numbers for comparing and rounding values of integer and
 * numeric columns: PostgreSQL's numeric and bigint arrive as strings with more
 * digits than a double holds (2^53 + 1 is not a double), so they are never
 * turned into one.
 */
export interface Decimal {
  readonly negative: boolean;
  /** The significant digits without leading zeros; '' for zero. */
  readonly digits: string;
  /** The value is digits × 10^exponent. */
  readonly exponent: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** undefined for anything that is not a finite decimal number (NaN, Infinity, text). */
export function parseDecimal(value: unknown): Decimal | undefined {
  let text: string;
  if (typeof value === 'number') {
    // Stryker disable next-line ConditionalExpression: equivalent, DECIMAL rejects NaN, Infinity
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'bigint') {
    text = value.toString();
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  // (\d*) always takes part in a match: whole is never undefined.
  // Stryker disable next-line StringLiteral: equivalent, Number('') is 0 too
  const [, sign, whole, fraction = '', exp = '0'] = match;
  return normalised(sign === '-', whole + fraction, Number(exp) - fraction.length);
}

function normalised(negative: boolean, rawDigits: string, exponent: number): Decimal {
  let digits = rawDigits.replace(/^0+/, '');
  let exp = exponent;
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  if (trailing > 0) {
    digits = digits.slice(0, -trailing);
    exp += trailing;
  }
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  return { negative, digits, exponent: exp };
}

export function sameDecimal(a: Decimal, b: Decimal): boolean {
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

/** Rounded to `scale` digits after the point, half away from zero, as PostgreSQL rounds numeric. */
export function roundDecimal(value: Decimal, scale: number): Decimal {
  const drop = -value.exponent - scale;
  if (drop <= 0) return value;
  const keep = value.digits.length - drop;
  // Stryker disable next-line BooleanLiteral: equivalent, normalised makes zero unsigned
  if (keep < 0) return normalised(false, '', 0);
  // 0 <= keep < digits.length: drop > 0 was checked above.
  const firstDropped = value.digits[keep]!;
  let kept = value.digits.slice(0, keep);
  if (firstDropped >= '5') kept = increment(kept);
  return normalised(value.negative, kept, -scale);
}

function increment(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] !== '9') {
      chars[i] = String(Number(chars[i]) + 1);
      return chars.join('');
    }
    chars[i] = '0';
  }
  return `1${chars.join('')}`;
}

/** Plain notation, as PostgreSQL accepts and prints numeric: `-12.5`, `0.001`, `1200`. */
export function formatDecimal(value: Decimal): string {
  if (value.digits === '') return '0';
  const sign = value.negative ? '-' : '';
  if (value.exponent >= 0) return `${sign}${value.digits}${'0'.repeat(value.exponent)}`;
  const point = value.digits.length + value.exponent;
  return point > 0
    ? `${sign}${value.digits.slice(0, point)}.${value.digits.slice(point)}`
    : `${sign}0.${'0'.repeat(-point)}${value.digits}`;
}

/** Digits after the point. */
export function scaleOf(value: Decimal): number {
  return Math.max(0, -value.exponent);
}
