import { describe, expect, it } from 'vitest';
import { settle, type WrittenRow } from '../../src/core/repair/confirm.js';

const SFID = 'a0Q000000000001AAA';
const row = (overrides: Partial<WrittenRow> = {}): WrittenRow => ({
  present: true,
  sfid: null,
  lastop: 'PENDING',
  hcErr: null,
  logState: 'NEW',
  logMessage: null,
  hasTriggerLog: true,
  ...overrides,
});

describe('what became of a row sfsync sent', () => {
  it('is confirmed with an sfid and SUCCESS as the newest trigger-log entry', () => {
    const landed = row({ sfid: SFID, lastop: 'SYNCED', logState: 'SUCCESS' });
    expect(settle(landed, false)).toEqual({ outcome: 'confirmed', code: null });
    expect(settle({ ...landed, lastop: 'INSERTED' }, true)).toEqual({
      outcome: 'confirmed',
      code: null,
    });
  });

  it('is never confirmed on SUCCESS alone: a write Connect dropped has no sfid', () => {
    const dropped = row({ logState: 'SUCCESS' });
    expect(settle(dropped, false)).toBeNull();
    expect(settle(dropped, true)).toEqual({ outcome: 'unconfirmed', code: null });
  });

  it('is not confirmed by an sfid while its newest entry is not SUCCESS', () => {
    expect(settle(row({ sfid: SFID, lastop: 'UPDATED', logState: 'PENDING' }), false)).toBeNull();
  });

  it('failed again when the row or its newest entry is FAILED, with the new code', () => {
    expect(
      settle(
        row({ lastop: 'FAILED', hcErr: 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--' }),
        false,
      ),
    ).toEqual({ outcome: 'failed_again', code: 'UNABLE_TO_LOCK_ROW' });
    // A record that flipped: it has an sfid, but its newest entry failed.
    expect(
      settle(
        row({
          sfid: SFID,
          lastop: 'SYNCED',
          logState: 'FAILED',
          logMessage: 'entity is deleted',
        }),
        false,
      ),
    ).toEqual({ outcome: 'failed_again', code: 'ENTITY_IS_DELETED' });
    expect(settle(row({ lastop: 'FAILED' }), false)).toEqual({
      outcome: 'failed_again',
      code: 'UNKNOWN',
    });
  });

  it('without a trigger log, or once its entries are purged, trusts the read-back', () => {
    for (const lastop of ['SYNCED', 'INSERTED', 'UPDATED'])
      expect(settle(row({ sfid: SFID, lastop, logState: null }), false)).toEqual({
        outcome: 'confirmed',
        code: null,
      });
    expect(settle(row({ sfid: SFID, lastop: 'PENDING', logState: null }), false)).toBeNull();
    expect(
      settle(row({ sfid: SFID, lastop: 'SYNCED', logState: null, hasTriggerLog: false }), false),
    ).toEqual({ outcome: 'confirmed', code: null });
    expect(
      settle(row({ sfid: SFID, lastop: 'SYNCED', logState: 'NEW', hasTriggerLog: false }), false),
    ).toEqual({ outcome: 'confirmed', code: null });
  });

  it('a row that is gone is unconfirmed; a pending one only once the wait is over', () => {
    expect(settle(row({ present: false }), false)).toEqual({ outcome: 'unconfirmed', code: null });
    expect(settle(row(), false)).toBeNull();
    expect(settle(row(), true)).toEqual({ outcome: 'unconfirmed', code: null });
  });
});
