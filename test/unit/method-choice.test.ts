import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  chooseMethod,
  runMethod,
  type MethodChoice,
} from '../../src/core/methods/method-choice.js';

const big = { sourceRows: 100_000, mirrorRows: 90_000 };
const small = { sourceRows: 30_000, mirrorRows: 20_000 };
const unknown = { sourceRows: null, mirrorRows: null };
const plain = { everyKey: false, opaque: [] };

describe('runMethod', () => {
  it.each([
    [undefined, true, 'join'],
    ['auto', true, 'join'],
    [undefined, false, 'by damage'],
    ['auto', false, 'by damage'],
    ['join', true, 'join'],
    ['stream', true, 'stream'],
    ['stream', false, 'stream'],
    ['checksum', true, 'checksum'],
    ['checksum', false, 'checksum'],
  ] as const)('--method %s, one database: %s → %s', (requested, shared, run) => {
    expect(runMethod(requested, shared)).toBe(run);
  });

  it('refuses a join across two databases, saying what to use instead', () => {
    expect(() => runMethod('join', false)).toThrow(UsageError);
    expect(() => runMethod('join', false)).toThrow(
      '--method join needs the source and mirror schemas in one database, read as one role; ' +
        'these are two (use stream or checksum)',
    );
  });
});

describe('chooseMethod', () => {
  const choice = (
    method: MethodChoice['method'],
    reader: MethodChoice['reader'],
    everyKey: boolean,
    fallback?: 'stream',
    byEstimate = false,
  ): Omit<MethodChoice, 'reason'> => ({ method, reader, everyKey, fallback, byEstimate });

  it.each([
    ['join', plain, choice('join', 'join', false, 'stream')],
    ['join', { everyKey: true, opaque: [] }, choice('join', 'join', true, 'stream')],
    ['join', { everyKey: false, opaque: ['flag__c'] }, choice('join', 'join', true, 'stream')],
    ['stream', plain, choice('stream', 'stream', false)],
    ['stream', { everyKey: false, opaque: ['flag__c'] }, choice('stream', 'stream', true)],
    ['checksum', plain, choice('checksum', 'checksum', false)],
    // Nothing to checksum when every key goes to JavaScript: streamed, reported as asked.
    ['checksum', { everyKey: true, opaque: [] }, choice('checksum', 'stream', true)],
    ['checksum', { everyKey: false, opaque: ['flag__c'] }, choice('checksum', 'stream', true)],
    ['by damage', { ...plain, sizes: big }, choice('checksum', 'checksum', false, undefined, true)],
    ['by damage', { ...plain, sizes: small }, choice('stream', 'stream', false)],
    ['by damage', { ...plain, sizes: unknown }, choice('stream', 'stream', false)],
    [
      'by damage',
      { everyKey: false, opaque: ['flag__c'], sizes: big },
      choice('checksum', 'stream', true),
    ],
  ] as const)('%s with %j', (run, facts, expected) => {
    expect(chooseMethod(run, facts)).toMatchObject(expected);
  });

  it('asks for the sizes only when the run chooses by them', () => {
    expect(chooseMethod('by damage', plain)).toBe('measure size');
    expect(chooseMethod('by damage', { everyKey: true, opaque: [] })).toBe('measure size');
    for (const run of ['join', 'stream', 'checksum'] as const)
      expect(chooseMethod(run, plain)).not.toBe('measure size');
  });

  it('checksums a table just big enough, streams one just too small, each with its reason', () => {
    const rows = (n: number) => ({ sourceRows: n, mirrorRows: null });
    expect(chooseMethod('by damage', { ...plain, sizes: rows(50_000) })).toMatchObject({
      method: 'checksum',
      reason: '~50000 rows: big enough for checksums',
    });
    expect(chooseMethod('by damage', { ...plain, sizes: rows(49_999) })).toMatchObject({
      method: 'stream',
      reason: '~49999 rows: too few for checksums to pay (under 50000)',
    });
    expect(chooseMethod('by damage', { ...plain, sizes: unknown })).toMatchObject({
      reason: 'neither table analysed yet: its size unknown, streamed',
    });
  });
});
