import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignTemplates, dropTemplates } from '../support/campaign.js';
import { faultTrial, reference, strikeFor, summarise, TARGETS, type Reference, type TrialResult } from '../support/fault-trials.js';

/**
 * Fault injection on real databases: in each trial a session of a running
 * backfill (its writer, its lock, its source reader, or its audit's readers) is
 * terminated with pg_terminate_backend just before a statement chosen by a
 * fixed seed. After each: the safety invariants hold, and an uninterrupted
 * rerun reaches the same end state as a run that was never interrupted.
 */
const TRIALS = 27;
const SEED = 2000;
let templates: { source: string; mirror: string };
let expected: Reference;
const results: TrialResult[] = [];

beforeAll(async () => {
  templates = await campaignTemplates();
  expected = await reference(templates, 'backfill');
}, 120_000);

afterAll(async () => {
  await dropTemplates(templates);
  console.log(summarise('backfill', expected.statements, results));
});

describe('backfill under injected connection faults', () => {
  for (let trial = 0; trial < TRIALS; trial++) {
    const target = TARGETS[trial % TARGETS.length]!;
    it(`trial ${trial + 1}: ${target} terminated at a seeded point`, async () => {
      const at = strikeFor(target, trial, SEED + trial, expected);
      const result = await faultTrial(templates, 'backfill', target, at, expected.state);
      results.push(result);
      expect(result.violations).toEqual([]);
      expect(result.converged).toBe(true);
    }, 60_000);
  }
});
