import { describe, expect, it, vi } from 'vitest';
import { closedLoopViolations, prepareCampaign, runTrial } from '../support/closed-loop.js';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * The campaign guards the guard: with settle() mutated to confirm whatever has not failed (no
 * look at the sfid or the trigger log), the campaign's trials must find a breach.
 */
vi.mock('../../src/core/repair/confirm.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/repair/confirm.js')>();
  return {
    ...real,
    settle: (...args: Parameters<typeof real.settle>) => {
      const settled = real.settle(...args);
      return settled?.outcome === 'failed_again' ? settled : { outcome: 'confirmed', code: null };
    },
  };
});

const db = useFixtureDatabases();

describe('the closed-loop campaign against a settle that confirms without checking', () => {
  it('finds a write confirmed that never reached Salesforce', { timeout: 120_000 }, async () => {
    await prepareCampaign(db);
    let found: string[] = [];
    // A dropped or delayed write is what the mutant confirms; the first seeds have some.
    for (let seed = 1; seed <= 6 && found.length === 0; seed++) {
      await runTrial(db, seed);
      found = await closedLoopViolations(db);
    }
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((line) => /confirmed, yet not in Salesforce$/.test(line))).toBe(true);
  });
});
