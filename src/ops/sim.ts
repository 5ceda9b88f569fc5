import type { Config, ResolvedTarget } from '../config/types.js';
import { ConnectSimulator, type SimOptions, type SimStats } from '../sim/simulator.js';

export interface SimRunOptions extends SimOptions {
  /**
   * Keep processing as entries arrive until `signal` aborts; otherwise one drain() pass, which
   * leaves entries the delay fault holds NEW (and owes the flips it drew) for a later run.
   */
  readonly watch: boolean;
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  /** With `watch`: after each pass over the queue. */
  readonly onCycle?: ((stats: SimStats) => void) | undefined;
}

/**
 * Plays Heroku Connect's write path on a mirror database (`sfsync sim`): never on a real Connect
 * database.
 */
export async function runSim(
  config: Pick<Config, 'entities'>,
  mirror: ResolvedTarget,
  options: SimRunOptions,
): Promise<SimStats> {
  const sim = await ConnectSimulator.open(config, mirror, options);
  try {
    if (options.watch) await sim.watch(options.signal, options.intervalMs, options.onCycle);
    else await sim.drain();
    return sim.stats;
  } finally {
    await sim.close();
  }
}
