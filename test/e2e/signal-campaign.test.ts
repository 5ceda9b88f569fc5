import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRepair } from '../support/repair.js';
import { startCli, waitFor } from '../support/cli.js';
import {
  campaignTemplates,
  dropTemplates,
  logicalState,
  safetyViolations,
  snapshot,
  trialDatabases,
} from '../support/campaign.js';
import { seededRandom } from '../../src/sim/random.js';
import {
  reference,
  runOptions,
  trialConfig,
  type Mode,
  type Reference,
} from '../support/fault-trials.js';
import { FIXTURE_CONFIG } from '../support/paths.js';
import { adminQuery, advisoryLocksHeld } from '../support/sessions.js';

/**
 * The CLI killed mid-run, as a CI runner's timeout or an OOM killer would:
 * SIGTERM must stop at a safe point (exit 143, run 'interrupted'), SIGKILL
 * leaves a run the journal shows as abandoned; either way nothing is lost and
 * the next run converges to the state of a run that was never interrupted.
 */
let templates: { source: string; mirror: string };
const expected = new Map<Mode, Reference>();
const TRIALS: { mode: Mode; signal: 'SIGTERM' | 'SIGKILL' }[] = [
  { mode: 'repair', signal: 'SIGTERM' },
  { mode: 'repair', signal: 'SIGKILL' },
  { mode: 'backfill', signal: 'SIGTERM' },
  { mode: 'backfill', signal: 'SIGKILL' },
  { mode: 'repair', signal: 'SIGKILL' },
  { mode: 'repair', signal: 'SIGTERM' },
  { mode: 'backfill', signal: 'SIGKILL' },
  { mode: 'backfill', signal: 'SIGTERM' },
];

beforeAll(async () => {
  templates = await campaignTemplates();
  for (const mode of ['repair', 'backfill'] as const)
    expected.set(mode, await reference(templates, mode));
}, 120_000);

afterAll(() => dropTemplates(templates));

describe('the CLI killed mid-run', () => {
  TRIALS.forEach(({ mode, signal }, trial) => {
    it(`trial ${trial + 1}: ${mode}, ${signal} after N journaled changes (seeded)`, async () => {
      const dbs = await trialDatabases(templates);
      try {
        const before = await snapshot(dbs.mirrorUrl);
        const changes = 1 + Math.floor(seededRandom(3000 + trial)() * 20);
        const running = startCli([mode, '--yes', '--batch-size', '1', '--config', FIXTURE_CONFIG], {
          env: { DATABASE_URL: dbs.sourceUrl, SALESFORCE_CONNECT_DB: dbs.mirrorUrl },
        });
        const journaled = async () =>
          (
            await adminQuery(dbs.mirrorUrl, `SELECT count(*)::int AS n FROM sfsync.journal`).catch(
              () => ({ rows: [{ n: 0 }] }),
            )
          ).rows[0].n as number;
        await waitFor(
          async () => (await journaled()) >= changes || running.child.exitCode !== null,
          `${changes} journaled changes`,
        );
        running.child.kill(signal);
        const result = await running.exited;
        const { rows: runs } = await adminQuery(dbs.mirrorUrl, `SELECT status FROM sfsync.runs`);
        if (signal === 'SIGTERM') {
          expect(result.code).toBe(143);
          expect(runs.map((r) => r.status)).toEqual(['interrupted']);
        } else {
          expect(result.signal).toBe('SIGKILL');
          expect(runs.map((r) => r.status)).toEqual(['running']);
          await waitFor(
            async () => (await advisoryLocksHeld(dbs.mirrorUrl)) === 0,
            'the dead lock session to go',
          );
        }
        expect(
          await safetyViolations(before, dbs.mirrorUrl, { abandoned: signal === 'SIGKILL' }),
        ).toEqual([]);
        await runRepair(trialConfig(dbs), runOptions(mode));
        expect(await logicalState(dbs.mirrorUrl)).toEqual(expected.get(mode)!.state);
      } finally {
        await dbs.drop();
      }
    }, 60_000);
  });
});
