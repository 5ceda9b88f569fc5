import { describe, expect, it } from 'vitest';
import { ERROR_POLICIES, ERROR_TAXONOMY } from '../../src/core/connect/error-taxonomy.js';
import { parseHcError } from '../../src/core/connect/hc-error.js';
import { SIM_FAULT_CODES, SIM_FAULT_TEXTS } from '../../src/sim/fault-texts.js';

describe('the failures the simulator injects', () => {
  it.each(SIM_FAULT_CODES)('%s: its text parses back to it', (code) => {
    expect(parseHcError(SIM_FAULT_TEXTS[code])).toMatchObject({ code, statusCode: undefined });
  });

  it('cover every policy class a write failure can have', () => {
    const policies = new Set(SIM_FAULT_CODES.map((code) => ERROR_TAXONOMY[code].policy));
    const writable = ERROR_POLICIES.filter((p) => p !== 'unknown' && p !== 'retry-after-parent');
    // retry-after-parent is the simulator's own: a lookup whose parent is not there yet.
    expect([...policies].sort()).toEqual([...writable].sort());
  });
});
