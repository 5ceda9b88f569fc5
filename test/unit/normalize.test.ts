import { describe, expect, it } from 'vitest';
import { sameValue } from '../../src/core/normalize.js';
import { compareKeys } from '../../src/core/key-order.js';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

const col = (type: string, maxLength: number | null = null) => ({ type, maxLength });

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
    // booleans by value
    ['t vs true', 't', true, col('boolean'), true],
    ['false vs false', false, 'false', col('boolean'), true],
    ['true vs false', true, false, col('boolean'), false],
    // datetimes to the second, UTC
    ['Date vs same instant, milliseconds dropped', new Date('2024-05-01T10:00:00.900Z'), new Date('2024-05-01T10:00:00.000Z'), col('timestamp without time zone'), true],
    ['zoned text vs UTC text', '2024-05-01T12:00:00+02:00', '2024-05-01 10:00:00', col('timestamp without time zone'), true],
    ['a second apart', new Date('2024-05-01T10:00:01Z'), new Date('2024-05-01T10:00:00Z'), col('timestamp without time zone'), false],
    ['date vs date text', new Date('2024-05-01T00:00:00Z'), '2024-05-01', col('date'), true],
    ['NULL datetime vs NULL', null, null, col('timestamp without time zone'), true],
    ['datetime vs NULL', new Date(), null, col('timestamp without time zone'), false],
  ])('%s', (_label, source, mirror, column, expected) => {
    expect(sameValue(source, mirror, column)).toBe(expected);
  });
});

describe('compareKeys', () => {
  it('orders like PostgreSQL COLLATE "C" (code points), not UTF-16 units', () => {
    const keys = ['b', 'a', 'B', '10', '9', '\u{1F600}', '\uFF21', 'ä'];
    expect([...keys].sort(compareKeys)).toEqual(['10', '9', 'B', 'a', 'b', 'ä', '\uFF21', '\u{1F600}']);
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
  it.each(['', '30', 'm', '5 minutes', '-1m'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
  it('formats for people', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(3 * 86_400_000)).toBe('3d');
  });
});
