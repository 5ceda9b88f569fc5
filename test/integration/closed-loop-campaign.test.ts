import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedLoopViolations,
  prepareCampaign,
  RUNS_PER_TRIAL,
  runTrial,
  type TrialStats,
} from '../support/closed-loop.js';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * Issue 23's proof: seeded trials of audit → repair --wait → audit against a simulated Connect
 * with transient, data-fix and terminal failures, dropped, delayed and flipped writes. CI runs 75
 * trials of 4 runs (300 runs); npm run campaign:closed-loop runs 1,000 (CLOSED_LOOP_TRIALS=N).
 */
const TRIALS = Number(process.env.CLOSED_LOOP_TRIALS ?? 75);
const db = useFixtureDatabases();
const totals: Record<string, number> = {};

beforeAll(async () => {
  await prepareCampaign(db);
});

afterAll(() => {
  if (process.env.CLOSED_LOOP_REPORT) console.log(JSON.stringify(totals, null, 2));
});

function add(stats: TrialStats): void {
  for (const [name, value] of Object.entries(stats)) {
    if (typeof value === 'number') totals[name] = (totals[name] ?? 0) + value;
    else if (Array.isArray(value)) totals[name] = (totals[name] ?? 0) + value.length;
    else {
      const prefix = name === 'simFaults' ? 'sim' : name;
      for (const [k, v] of Object.entries(value as Record<string, number>))
        totals[`${prefix}.${k}`] = (totals[`${prefix}.${k}`] ?? 0) + v;
    }
  }
}

describe(`the closed loop, ${TRIALS} seeded trials of ${RUNS_PER_TRIAL} runs`, () => {
  it('confirms only what landed, re-sends by policy, loses and duplicates nothing', {
    timeout: 60 * 60_000,
  }, async () => {
    for (let seed = 1; seed <= TRIALS; seed++) {
      const stats = await runTrial(db, seed);
      add(stats);
      const violations = [
        ...(await closedLoopViolations(db)),
        ...stats.notResent,
        ...stats.notConverged,
      ];
      expect(violations, `seed ${seed}`).toEqual([]);
    }
    // The faults struck, so the invariants were tested against them.
    expect(totals.runs).toBe(TRIALS * RUNS_PER_TRIAL);
    expect(totals.confirmed).toBeGreaterThan(0);
    expect(totals.failedAgain).toBeGreaterThan(0);
    expect(totals.unconfirmed).toBeGreaterThan(0);
    expect(totals.transientFailures).toBeGreaterThan(0);
    expect(totals.dataFixFailures).toBeGreaterThan(0);
    expect(totals.terminalFailures).toBeGreaterThan(0);
    expect(totals.fixedBySource).toBeGreaterThan(0);
    // Transient failures converged, most at the next run, and the horizon was reached.
    expect(totals['convergedAfter.1']).toBeGreaterThan(0);
    for (const fault of ['transient', 'dataFix', 'terminal', 'dropped', 'delayed', 'flipped'])
      expect(totals[`sim.${fault}`], fault).toBeGreaterThan(0);
  });
});
