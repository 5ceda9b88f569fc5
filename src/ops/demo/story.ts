import type { SimFaultCode } from '../../sim/fault-texts.js';
import type { RunConfig } from '../../config/types.js';
import type { AuditResult } from '../../core/audit/result.js';
import type { RepairResult } from '../../core/repair/result.js';
import { runAudit } from '../audit/audit.js';
import { runRepair } from '../repair/repair.js';
import { repairWithConnectRunning } from './connect-running.js';

const STALE_MS = 30 * 60_000;
const MAX_ROUNDS = 4;

/** The demo's steps, as a person would run them by hand. */
export const DEMO_STEPS = [
  'audit',
  'repair --dry-run',
  'repair --yes --wait 30s',
  'audit again',
] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

/** Each step is announced as it starts; its results follow as they come. */
export type DemoEvent =
  | { readonly kind: 'step'; readonly step: DemoStep }
  | { readonly kind: 'audit'; readonly result: AuditResult }
  | { readonly kind: 'plan'; readonly result: RepairResult }
  | { readonly kind: 'round'; readonly round: number; readonly result: RepairResult };

export interface DemoStory {
  readonly before: AuditResult;
  readonly plan: RepairResult;
  readonly rounds: readonly RepairResult[];
  readonly after: AuditResult;
}

export interface DemoStoryOptions {
  readonly signal: AbortSignal;
  /** How often the simulated Connect's writes fail, with which failures, and its seed. */
  readonly failRate: number;
  readonly failCodes?: readonly SimFaultCode[] | undefined;
  readonly seed: number;
  readonly onEvent: (event: DemoEvent) => void;
  /** What is being read or written now, for a spinner. */
  readonly onProgress: (text: string) => void;
}

/**
 * The demo's story on a prepared environment: audit what the race left behind, plan the repair,
 * repair level by level with Connect running, audit again.
 */
export async function tellDemoStory(
  config: RunConfig,
  options: DemoStoryOptions,
): Promise<DemoStory> {
  const { signal, onEvent, onProgress } = options;
  const audit = async () => {
    const result = await runAudit(config, {
      staleMs: STALE_MS,
      signal,
      onProgress: ({ entity }) => onProgress(`audit: ${entity}`),
    });
    onEvent({ kind: 'audit', result });
    return result;
  };
  onEvent({ kind: 'step', step: 'audit' });
  const before = await audit();

  onEvent({ kind: 'step', step: 'repair --dry-run' });
  const plan = await runRepair(config, { ...repairOptions(signal), dryRun: true });
  onEvent({ kind: 'plan', result: plan });

  onEvent({ kind: 'step', step: 'repair --yes --wait 30s' });
  const rounds: RepairResult[] = [];
  await repairWithConnectRunning(config, {
    ...repairOptions(signal),
    failRate: options.failRate,
    failCodes: options.failCodes,
    seed: options.seed,
    maxRounds: MAX_ROUNDS,
    onProgress: (text) => onProgress(`repair: ${text}`),
    onRound: (round, result) => {
      rounds.push(result);
      onEvent({ kind: 'round', round, result });
    },
  });

  onEvent({ kind: 'step', step: 'audit again' });
  const after = await audit();
  return { before, plan, rounds, after };
}

function repairOptions(signal: AbortSignal) {
  return {
    command: 'repair' as const,
    strategy: 'reinsert' as const,
    batchSize: 500,
    concurrency: 2,
    staleMs: STALE_MS,
    commandLine: 'sfsync demo',
    signal,
  };
}
