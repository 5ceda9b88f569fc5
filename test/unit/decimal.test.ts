import { describe, expect, it } from 'vitest';
import type { Decimal } from '../../src/core/values/decimal.js';
import {
  formatDecimal,
  parseDecimal,
  roundDecimal,
  sameDecimal,
} from '../../src/core/values/decimal.js';

function decimal(value: unknown): Decimal {
  const parsed = parseDecimal(value);
  if (!parsed) throw new Error(`not a decimal: ${String(value)}`);
  return parsed;
}

const ZERO: Decimal = { negative: false, digits: '', exponent: 0 };
const ZEROS = ['0', '-0', '000', '0.000', '-0.00e5', '+.0', 0, -0, 0n];
const NOT_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const NOT_NUMBERS = [null, undefined, true, {}, [1]];

describe('parseDecimal', () => {
  it('reads a string with the space around it trimmed', () => {
    expect(parseDecimal(' \t12.50\n')).toEqual({ negative: false, digits: '125', exponent: -1 });
  });

  it('drops every leading zero, not just the first', () => {
    expect(parseDecimal('007')).toEqual({ negative: false, digits: '7', exponent: 0 });
    expect(parseDecimal('-000.0250')).toEqual({ negative: true, digits: '25', exponent: -3 });
  });

  it.each(ZEROS)('reads %s as the one zero, unsigned', (value) => {
    expect(parseDecimal(value)).toEqual(ZERO);
  });

  it('reads a bigint beyond a double exactly', () => {
    expect(formatDecimal(decimal(10n ** 30n + 1n))).toBe(`1${'0'.repeat(29)}1`);
  });

  it.each([...NOT_FINITE, ...NOT_NUMBERS])('is undefined for %j, no finite decimal', (value) => {
    expect(parseDecimal(value)).toBeUndefined();
  });

  it.each(['', '.', 'abc', 'NaN', 'Infinity', '1e', '--1'])('is not a decimal: %j', (value) => {
    expect(parseDecimal(value)).toBeUndefined();
  });

  it.each([
    ['12.500', '12.5'],
    ['-0', '0'],
    ['1.5e3', '1500'],
    ['.25', '0.25'],
    ['0.000123', '0.000123'],
    [1e21, '1000000000000000000000'],
    [-3, '-3'],
  ])('formats %s as %s', (value, expected) => {
    expect(formatDecimal(decimal(value))).toBe(expected);
  });
});

describe('sameDecimal', () => {
  it.each([
    ['1', '1.000', true],
    ['1e2', '100', true],
    ['-0', '0.0', true],
    ['-1', '1', false],
    ['1', '10', false],
    ['0.1', '1', false],
    ['12', '21', false],
    // 2^53 + 1 and 2^53 are one double, but not one decimal.
    ['9007199254740993', 9007199254740992, false],
  ] as const)('holds for %j and %j: %s', (a, b, same) => {
    expect(sameDecimal(decimal(a), decimal(b))).toBe(same);
    expect(sameDecimal(decimal(b), decimal(a))).toBe(same);
  });
});

describe('roundDecimal', () => {
  it.each([
    ['1.5', 1],
    ['1.5', 3],
    ['-120', 0],
  ])('returns %s as it is at %i places, which it fits', (value, scale) => {
    const parsed = decimal(value);
    expect(roundDecimal(parsed, scale)).toBe(parsed);
  });

  it.each([
    // Every digit is dropped: zero, never -0 nor the leading digits kept.
    ['0.00123', 1, '0'],
    ['-0.00987', 1, '0'],
    // No digit is kept: the first one dropped rounds to one unit or to zero.
    ['-0.00987', 2, '-0.01'],
    ['0.00487', 2, '0'],
    ['2.45', 1, '2.5'],
    ['2.44999', 1, '2.4'],
    ['-9.95', 1, '-10'],
    ['999.5', 0, '1000'],
    ['1.005', 2, '1.01'],
    ['-1.005', 2, '-1.01'],
    ['9.995', 2, '10'],
    ['0.004', 2, '0'],
    ['123', 0, '123'],
    ['0.5', 0, '1'],
    ['1e-7', 3, '0'],
    // A carry through digits a double does not hold.
    ['9007199254740993.5', 0, '9007199254740994'],
    ['-12345678901234567890.5', 0, '-12345678901234567891'],
  ] as const)('rounds %s to %i places, half away from zero: %s', (value, scale, expected) => {
    expect(formatDecimal(roundDecimal(decimal(value), scale))).toBe(expected);
  });

  it('rounds to the one zero when every digit is dropped', () => {
    expect(roundDecimal(decimal('-0.00987'), 1)).toEqual(ZERO);
  });
});
