import { describe, expect, it } from 'vitest';
import { parseHcError, RECENT_TEXTS, rememberingParser } from '../../src/core/connect/hc-error.js';

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
