import { describe, expect, it, vi } from 'vitest';
import { fitToColumns } from '../../src/core/values/fit-values.js';
import { sameValue, typeFamily } from '../../src/core/values/normalize.js';
import type { ColumnInfo } from '../../src/core/schema/catalog.js';
import { compareKeys } from '../../src/core/methods/key-order.js';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

const col = (type: string, maxLength: number | null = null, scale: number | null = null) => ({
  type,
  maxLength,
  scale,
});

describe('sameValue', () => {
  it.each([
    // text: Salesforce stores empty text as NULL
    ['NULL equals empty text', null, '', col('character varying', 80), true],
    ['empty equals NULL', '', null, col('text'), true],
    ['different text', 'Springfield', 'Shelbyville', col('character varying', 80), false],
    ['text vs NULL', 'x', null, col('text'), false],
    // truncation to the mirror column's length
    ['cut to the column length', 'abcdefghij', 'abcde', col('character varying', 5), true],
    ['cut with …', 'abcdefghij', 'abcd…', col('character varying', 5), true],
    ['cut with ...', 'abcdefghij', 'ab...', col('character varying', 5), true],
    ['a cut that does not match', 'abcdefghij', 'abxd…', col('character varying', 5), false],
    ['no cut when the source fits', 'abc', 'ab', col('character varying', 5), false],
    ['no cut without a column length', 'abcdefghij', 'abcde', col('text'), false],
    // numbers by value
    ['numeric text vs double', '3.50', 3.5, col('double precision'), true],
    ['bigint count vs double', '12', 12, col('double precision'), true],
    ['integer vs numeric text', 7, '7.000', col('numeric'), true],
    ['float noise', 0.1 + 0.2, 0.3, col('double precision'), true],
    ['different numbers', '12', 13, col('double precision'), false],
    ['zero is not NULL', 0, null, col('double precision'), false],
    // integers and numeric exactly, as decimals
    ['integers one apart at a billion', 1000000001, 1000000000, col('integer', null, 0), false],
    [
      'bigint one apart beyond 2^53',
      '9007199254740993',
      '9007199254740992',
      col('bigint', null, 0),
      false,
    ],
    [
      'bigint equal beyond 2^53',
      '9007199254740993',
      '9007199254740993',
      col('bigint', null, 0),
      true,
    ],
    [
      'numeric with more digits than a double',
      '0.10000000000000000001',
      '0.1',
      col('numeric'),
      false,
    ],
    ['numeric trailing zeros mean nothing', '12.500', '12.5', col('numeric'), true],
    ['numeric in exponent form', '1.5e3', '1500', col('numeric'), true],
    [
      'source rounded to the scale, half away from zero',
      '1.005',
      '1.01',
      col('numeric', null, 2),
      true,
    ],
    ['negative rounded away from zero', '-1.005', '-1.01', col('numeric', null, 2), true],
    ['rounding that carries', '9.995', '10.00', col('numeric', null, 2), true],
    ['rounded but still different', '1.004', '1.01', col('numeric', null, 2), false],
    ['a fraction into an integer column rounds', '2.5', 3, col('integer', null, 0), true],
    ['NaN compared as text', 'NaN', 'NaN', col('numeric'), true],
    // floats by their own precision
    ['double: one apart at a billion', 1000000001, 1000000000, col('double precision'), false],
    ['real: within float32 precision', 0.30000001, 0.3, col('real'), true],
    ['real: beyond float32 precision', 0.3001, 0.3, col('real'), false],
    // char(n) padding
    ['char(n) padding means nothing', 'ab', 'ab   ', col('character', 5), true],
    // booleans by value
    ['t vs true', 't', true, col('boolean'), true],
    ['false vs false', false, 'false', col('boolean'), true],
    ['true vs false', true, false, col('boolean'), false],
    // datetimes to the second, UTC
    [
      'Date vs same instant, milliseconds dropped',
      new Date('2024-05-01T10:00:00.900Z'),
      new Date('2024-05-01T10:00:00.000Z'),
      col('timestamp without time zone'),
      true,
    ],
    [
      'zoned text vs UTC text',
      '2024-05-01T12:00:00+02:00',
      '2024-05-01 10:00:00',
      col('timestamp without time zone'),
      true,
    ],
    // PostgreSQL's own text for timestamptz in a session whose TimeZone is not UTC.
    [
      'PostgreSQL text, whole-hour offset',
      '2024-05-01 12:00:00+02',
      '2024-05-01 10:00:00',
      col('timestamp without time zone'),
      true,
    ],
    [
      'PostgreSQL text, offset and fraction',
      '2024-05-01 04:30:00.25-05:30',
      '2024-05-01 10:00:00',
      col('timestamp without time zone'),
      true,
    ],
    [
      'ISO basic offset',
      '2024-05-01T12:00:00+0200',
      '2024-05-01 10:00:00',
      col('timestamp without time zone'),
      true,
    ],
    [
      'whole-hour offset, an hour apart',
      '2024-05-01 12:00:00+02',
      '2024-05-01 11:00:00',
      col('timestamp without time zone'),
      false,
    ],
    [
      'an unreadable datetime is compared as text',
      'soon',
      new Date('2024-05-01T10:00:00Z'),
      col('timestamp without time zone'),
      false,
    ],
    [
      'an invalid Date is compared as text, not thrown on',
      new Date(Number.NaN),
      '2024-05-01',
      col('text'),
      false,
    ],
    [
      'a second apart',
      new Date('2024-05-01T10:00:01Z'),
      new Date('2024-05-01T10:00:00Z'),
      col('timestamp without time zone'),
      false,
    ],
    ['date vs date text', new Date('2024-05-01T00:00:00Z'), '2024-05-01', col('date'), true],
    ['NULL datetime vs NULL', null, null, col('timestamp without time zone'), true],
    ['datetime vs NULL', new Date(), null, col('timestamp without time zone'), false],
  ])('%s', (_label, source, mirror, column, expected) => {
    expect(sameValue(source, mirror, column)).toBe(expected);
  });
});

function same(source: unknown, mirror: unknown, column: ColumnInfo, expected: boolean): void {
  expect(sameValue(source, mirror, column)).toBe(expected);
}

describe('sameValue: numbers', () => {
  const double = col('double precision');
  it.each([
    ['a boolean counts as 1', true, 1, true],
    ['a boolean counts as 0', false, 0, true],
    ['a bigint equals the double it counts to', 12n, '12.0', true],
    ['blank text is not zero', '   ', 0, false],
    ['blank text is not one either', '   ', 1, false],
    ['words that are no numbers compare as text', 'n/a', 'unknown', false],
    ['the same word is the same value', 'n/a', 'n/a', true],
    // PostgreSQL's float8 has both, and node-postgres reads them as numbers.
    ['infinity equals infinity', Infinity, Infinity, true],
    ['NaN equals NaN', Number.NaN, Number.NaN, true],
    ['NaN is not a number it could be', Number.NaN, 1, false],
    // The tolerance is four machine epsilons relative to the larger value, at any magnitude.
    ['four epsilons apart at 1 are equal', 1, 1 - 2 ** -50, true],
    ['eight epsilons apart at 1 differ', 1, 1 - 2 ** -49, false],
    ['two units in the last place at a billion are equal', 1e9, 1e9 + 2 ** -22, true],
  ])('%s', (_label, source, mirror, expected) => same(source, mirror, double, expected));
});

describe('sameValue: empty text is NULL whatever the type', () => {
  it.each(['double precision', 'numeric', 'boolean', 'timestamp without time zone', 'date'])(
    'in a %s column',
    (type) => {
      same('', null, col(type), true);
      same(null, '', col(type), true);
    },
  );
});

describe('typeFamily', () => {
  it.each([
    ['numeric', 'exact'],
    ['double precision', 'double'],
    ['real', 'real'],
    // A user type outside the search path is named with its schema, whatever the rest says.
    ['app.integer_range', 'text'],
    ['app.surreal', 'text'],
    // Whole names only: arrays and user types that start like a number's or a time's are text.
    ['integer', 'exact'],
    ['bigint', 'exact'],
    ['smallint', 'exact'],
    ['character', 'padded'],
    ['bpchar', 'padded'],
    ['boolean', 'boolean'],
    ['timestamp without time zone', 'timestamp'],
    ['timestamp with time zone', 'timestamp'],
    ['date', 'date'],
    ['double precision[]', 'text'],
    ['real[]', 'text'],
    ['integer[]', 'text'],
    ['numeric[]', 'text'],
    ['timestamp with time zone[]', 'text'],
    ['realm', 'text'],
    ['integer_range', 'text'],
    ['timestamp_kind', 'text'],
    ['character varying', 'text'],
    ['text', 'text'],
  ])('reads %s as %s', (type, family) => {
    expect(typeFamily(type)).toBe(family);
  });

  it('compares an enum whose name starts like a number by its labels', () => {
    expect(sameValue('1', '1.0', { type: 'realm', maxLength: null })).toBe(false);
    expect(sameValue('1', '1', { type: 'realm', maxLength: null })).toBe(true);
  });
});

describe('sameValue: booleans', () => {
  const boolean = col('boolean');
  const TRUE = ['t', 'true', '1', 'yes', 'y', 'on', ' Yes ', 'TRUE'];
  const FALSE = ['f', 'false', '0', 'no', 'n', 'off', ' No ', 'FALSE'];
  // Compared with two spellings, so that the text alone can never make them equal.
  it.each(TRUE)('reads %j as true', (text) => {
    same(text, true, boolean, true);
    same(text, 1, boolean, true);
    same(text, false, boolean, false);
  });
  it.each(FALSE)('reads %j as false', (text) => {
    same(text, false, boolean, true);
    same(text, 0, boolean, true);
    same(text, true, boolean, false);
  });
  it('reads a number as true unless it is zero', () => {
    same(2, true, boolean, true);
    same(0, false, boolean, true);
    same(0, true, boolean, false);
  });
  it('compares other words as text', () => {
    same('maybe', 'perhaps', boolean, false);
    same('maybe', 'maybe', boolean, true);
  });
});

describe('sameValue: dates and datetimes', () => {
  const date = col('date');
  const ts = col('timestamp without time zone');
  const ten = '2024-05-01T10:00:00Z';
  it.each([
    ['different days differ', '2024-05-01', '2024-05-02', date, false],
    ['a date padded with spaces is that date', ' 2024-05-01 ', '2024-05-01', date, true],
    ['a datetime counts by its UTC day', ten, '2024-05-01', date, true],
    // JavaScript would roll 30 February into March; the text says otherwise.
    ['an impossible date is not a later one', '2024-02-30', '2024-03-01', date, false],
    ['an impossible date stays one when padded', ' 2024-02-30 ', '2024-03-01', date, false],
    ['date-only text is midnight UTC', '2024-05-01', new Date('2024-05-01T00:00:00Z'), ts, true],
    ['datetime text may be padded with spaces', ' 2024-05-01 10:00:00 ', ten, ts, true],
    ['an offset may lack its colon', '2024-05-01T12:00:00+0200', ten, ts, true],
    ['an unreadable datetime is not NULL', null, new Date(Number.NaN), ts, false],
    ['an unreadable datetime is not empty text', '', new Date(Number.NaN), ts, false],
    // An offset spelt after a zone name, in text only JavaScript's fallback parser reads.
    ['a zone name with an offset is that offset', 'May 1 2024 12:00 GMT+02', ten, ts, true],
    // ISO 8601's expanded year, as JavaScript writes years beyond 9999.
    ['a date with an expanded year is that date', '+002024-05-01', '2024-05-01', date, true],
  ])('%s', (_label, source, mirror, column, expected) => same(source, mirror, column, expected));
});

describe('sameValue: datetimes without a zone are UTC, also where the machine is not', () => {
  // Stryker runs tests in worker threads, where setting TZ changes nothing. This Date reads a
  // datetime without an offset as local time at +05:30, as ECMAScript says a machine there must.
  const RealDate = Date;
  class LocalDate extends RealDate {
    constructor(value: string | number | Date = RealDate.now()) {
      const zoneless = typeof value === 'string' && /T[\d:.]+$/.test(value);
      super(zoneless ? RealDate.parse(`${value}Z`) - 330 * 60_000 : value);
    }
  }
  const ts = col('timestamp without time zone');
  it.each([
    ['with a space between date and time', '2024-05-01 10:00:00'],
    ['with a T between date and time', '2024-05-01T10:00:00'],
  ])('%s', (_label, source) => {
    expect(new LocalDate('2024-05-01T10:00:00').toISOString()).toBe('2024-05-01T04:30:00.000Z');
    vi.stubGlobal('Date', LocalDate);
    try {
      same(source, '2024-05-01T10:00:00Z', ts, true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('sameValue: text', () => {
  const varchar5 = col('character varying', 5);
  it.each([
    ['a missing value is NULL', undefined, null, col('text'), true],
    ['a missing value is empty text', undefined, '', col('text'), true],
    ['an invalid Date is not NULL', new Date(Number.NaN), null, col('text'), false],
    // The text of NULL is nothing, not even a prefix of something longer than the column.
    ['NULL is not a value cut to the column length', null, 'S', col('character varying', 1), false],
    ['char(n) padding in the source means nothing', 'ab  ', 'ab', col('character', 5), true],
    ['char(n) is also known as bpchar', 'ab', 'ab   ', col('bpchar', 5), true],
    ['json compares by its content', { a: 1 }, { a: 2 }, col('jsonb'), false],
    ['equal json is equal', { a: 1 }, { a: 1 }, col('jsonb'), true],
    // Only text longer than the column was cut.
    ['a shorter value is not one cut with an ellipsis', 'abc', 'ab…', varchar5, false],
    ['a value that just fits is not one cut either', 'abcde', 'abcd…', varchar5, false],
  ])('%s', (_label, source, mirror, column, expected) => same(source, mirror, column, expected));
});

describe('fitToColumns: what a write sends, fitted as the audit accepts it', () => {
  const columns = new Map([
    ['name', col('character varying', 5)],
    ['amount', col('numeric', null, 2)],
    ['count', col('integer', null, 0)],
    ['note', col('text')],
    ['ext', col('character varying', 3)],
  ]);
  it('cuts long text to the column length and rounds to the scale, saying what it changed', () => {
    const { values, adjusted } = fitToColumns(
      { name: 'abcdefg', amount: '1.005', count: '2.5', note: 'x'.repeat(500), ext: 'long-key' },
      columns,
      ['name', 'amount', 'count', 'note'],
    );
    expect(values).toEqual({
      name: 'abcde',
      amount: '1.01',
      count: '3',
      note: 'x'.repeat(500),
      ext: 'long-key',
    });
    expect(adjusted).toEqual({
      name: { kind: 'cut', from: 'abcdefg', length: 7, to: 'abcde' },
      amount: { kind: 'rounded', from: '1.005', to: '1.01' },
      count: { kind: 'rounded', from: '2.5', to: '3' },
    });
    for (const name of ['name', 'amount', 'count'])
      expect(
        sameValue(
          ({ name: 'abcdefg', amount: '1.005', count: '2.5' } as Record<string, unknown>)[name],
          values[name],
          columns.get(name)!,
        ),
      ).toBe(true);
  });
  it('changes nothing that fits, and never a column it was not asked to fit (a key)', () => {
    expect(
      fitToColumns({ name: 'abc', amount: 1.5, ext: 'long-key' }, columns, ['name', 'amount']),
    ).toEqual({
      values: { name: 'abc', amount: 1.5, ext: 'long-key' },
      adjusted: null,
    });
  });
  it('counts characters, not UTF-16 units', () => {
    expect(fitToColumns({ name: '😀😀😀😀😀😀' }, columns, ['name']).values.name).toBe(
      '😀😀😀😀😀',
    );
  });
});

describe('compareKeys', () => {
  it('orders like PostgreSQL COLLATE "C" (code points), not UTF-16 units', () => {
    const keys = ['b', 'a', 'B', '10', '9', '\u{1F600}', '\uFF21', 'ä'];
    expect([...keys].sort(compareKeys)).toEqual([
      '10',
      '9',
      'B',
      'a',
      'b',
      'ä',
      '\uFF21',
      '\u{1F600}',
    ]);
  });
  it('puts a prefix first', () => {
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('abc', 'abc')).toBe(0);
  });
});

describe('durations', () => {
  it.each([
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '30', 'm', '5 minutes', '-1m'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
  it('formats for people', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(3 * 86_400_000)).toBe('3d');
  });
});
