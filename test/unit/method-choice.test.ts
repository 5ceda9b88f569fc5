import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  chooseMethod,
  runMethod,
  type MethodChoice,
} from '../../src/core/methods/method-choice.js';

const inStep = { sourceRows: 100_000, mirrorRows: 100_000, unhealthy: 10 };
const damaged = { sourceRows: 100_000, mirrorRows: 90_000, unhealthy: 0 };
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
    [
      'by damage',
      { ...plain, damage: inStep },
      choice('checksum', 'checksum', false, undefined, true),
    ],
    ['by damage', { ...plain, damage: damaged }, choice('stream', 'stream', false)],
    [
      'by damage',
      { everyKey: false, opaque: ['flag__c'], damage: inStep },
      choice('checksum', 'stream', true),
    ],
  ] as const)('%s with %j', (run, facts, expected) => {
    expect(chooseMethod(run, facts)).toMatchObject(expected);
  });

  it('asks for the visible damage only when the run chooses by it', () => {
    expect(chooseMethod('by damage', plain)).toBe('measure damage');
    expect(chooseMethod('by damage', { everyKey: true, opaque: [] })).toBe('measure damage');
    for (const run of ['join', 'stream', 'checksum'] as const)
      expect(chooseMethod(run, plain)).not.toBe('measure damage');
  });

  it('checksums a table just big enough and in step, streams one just too small', () => {
    const rows = (n: number) => ({ sourceRows: n, mirrorRows: n, unhealthy: 0 });
    expect(chooseMethod('by damage', { ...plain, damage: rows(50_000) })).toMatchObject({
      method: 'checksum',
    });
    expect(chooseMethod('by damage', { ...plain, damage: rows(49_999) })).toMatchObject({
      method: 'stream',
    });
  });
});
