import { describe, expect, it } from 'vitest';
import {
  MAX_PARSED_LENGTH,
  parseHcError,
  RECENT_TEXTS,
  rememberingParser,
} from '../../src/core/connect/hc-error.js';

const LOCKED = 'unable to obtain exclusive access to this record';
const fk = (i: number) => `Foreign key external ID: k${i} not found for field F in entity E`;

describe('rememberingParser: parseHcError, the texts it parsed lately remembered', () => {
  it('parses as parseHcError does, and hands every row with one text the same parse', () => {
    const parse = rememberingParser();
    const first = parse(LOCKED);
    expect(first).toEqual(parseHcError(LOCKED));
    expect(first).toMatchObject({ code: 'UNABLE_TO_LOCK_ROW', message: LOCKED });
    expect(parse(LOCKED)).toBe(first);
    // A text that differs only in its spaces parses alike, as a text of its own.
    const spaced = parse(`  ${LOCKED}\n`);
    expect(spaced).toEqual(first);
    expect(spaced).not.toBe(first);
  });

  it('hands out frozen results, their fields too: one is shared by every row with its text', () => {
    const text =
      '[{"message":"Required fields are missing: [LastName]",' +
      '"errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}]';
    const parsed = rememberingParser()(text);
    expect(parsed).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] });
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed?.fields)).toBe(true);
    // parseHcError's own results stay the caller's.
    expect(Object.isFrozen(parseHcError(text))).toBe(false);
  });

  it('keeps no text longer than the parser reads: each is parsed again', () => {
    const parse = rememberingParser();
    const long = `${LOCKED} ${'x'.repeat(MAX_PARSED_LENGTH)}`;
    const first = parse(long);
    expect(first).toEqual(parseHcError(long));
    expect(parse(long)).not.toBe(first);
    const longest = LOCKED.padEnd(MAX_PARSED_LENGTH, ' ');
    expect(parse(longest)).toBe(parse(longest));
  });

  it('no text, or only spaces: null, each time', () => {
    const parse = rememberingParser();
    for (const text of [null, undefined, '', '  \n'])
      for (const _ of [1, 2]) expect(parse(text)).toBeNull();
  });

  it('one per audit: another parser parses again', () => {
    const first = rememberingParser()(LOCKED);
    expect(rememberingParser()(LOCKED)).not.toBe(first);
  });

  it('holds at most its limit of texts: past it, it parses again, to the same result', () => {
    for (const [parse, limit] of [
      [rememberingParser(), RECENT_TEXTS],
      [rememberingParser(3), 3],
    ] as const) {
      const first = parse(fk(0));
      for (let i = 1; i < limit; i++) parse(fk(i));
      // Full, but every text still there.
      expect(parse(fk(0))).toBe(first);
      parse(fk(limit));
      const again = parse(fk(0));
      expect(again).not.toBe(first);
      expect(again).toEqual(first);
      expect(again).toMatchObject({ code: 'FOREIGN_KEY_NOT_FOUND', value: 'k0', object: 'E' });
      expect(parse(fk(0))).toBe(again);
    }
  });
});
