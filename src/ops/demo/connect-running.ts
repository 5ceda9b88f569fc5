import type { SimFaultCode } from '../../sim/fault-texts.js';
import type { RunConfig } from '../../config/types.js';
import { ConnectSimulator } from '../../sim/simulator.js';
import {
  runRepair,
  type ActionResult,
  type RepairOptions,
  type RepairResult,
} from '../repair/repair.js';

export interface ConnectRunningOptions extends Omit<RepairOptions, 'dryRun' | 'waitMs'> {
  /** How often the simulated Connect's writes fail, with which failures, and its seed. */
  readonly failRate: number;
  readonly failCodes?: readonly SimFaultCode[] | undefined;
  readonly seed: number;
  readonly maxRounds: number;
  readonly onRound: (round: number, result: RepairResult) => void;
}

/**
 * The demo's third step: repair --wait, round after round, while a simulated
 * Connect processes the trigger log in the background, until a dry run finds
 * nothing left to write and nothing waiting for a parent Connect has yet to sync.
 */
export async function repairWithConnectRunning(
  config: RunConfig,
  options: ConnectRunningOptions,
): Promise<void> {
  const sim = await ConnectSimulator.open(config, config.mirror, {
    failRate: options.failRate,
    failCodes: options.failCodes,
    seed: options.seed,
    latencyMs: 0,
    batchSize: 500,
  });
  const stop = new AbortController();
  const connect = sim.watch(stop.signal, 200);
  try {
    for (let round = 1; round <= options.maxRounds; round++) {
      const result = await runRepair(config, {
        ...options,
        dryRun: false,
        waitMs: 30_000,
        commandLine: 'sfsync demo (repair --yes --wait 30s)',
      });
      options.onRound(round, result);
      let more = false;
      const onActions = (actions: readonly ActionResult[]) => {
        more ||= actions.some((a) => a.status === 'planned' || a.blockedBy?.state === 'unsynced');
      };
      await runRepair(config, { ...options, dryRun: true, onProgress: undefined, onActions });
      if (!more) return;
    }
  } finally {
    stop.abort();
    await connect.catch(() => undefined);
    await sim.drain();
    await sim.close();
  }
}
