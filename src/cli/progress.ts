import type { CliContext } from './context.js';
import { outputMode } from './output-mode.js';

export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  stop(): void;
}

/**
 * Off a terminal, a long run says where it is at most this often, so a CI log shows life without
 * filling up.
 */
export const PROGRESS_LINE_INTERVAL_MS = 5_000;

const SILENT: Progress = {
  update: () => undefined,
  succeed: () => undefined,
  stop: () => undefined,
};

/**
 * An ora spinner on stderr when a person is watching it; otherwise plain lines
 * (`sfsync: <task>: <step>`): with --verbose every step, by default at most one
 * every PROGRESS_LINE_INTERVAL_MS (a short run prints none), with --quiet none.
 */
export async function startProgress(context: CliContext, text: string): Promise<Progress> {
  const mode = outputMode(context, context.env, context.verbosity);
  if (mode.verbosity === 'quiet') return SILENT;
  if (!mode.interactive) {
    const write = (line: string) => context.stderr.write(`sfsync: ${line}\n`);
    return mode.verbosity === 'verbose'
      ? progressLines(write, 0)
      : progressLines(write, PROGRESS_LINE_INTERVAL_MS);
  }
  const { default: ora } = await import('ora');
  const spinner = ora({
    text,
    stream: context.stderr as NodeJS.WriteStream,
    color: mode.color ? 'cyan' : false,
  }).start();
  return {
    update: (next) => {
      spinner.text = next;
    },
    succeed: (done) => {
      spinner.succeed(done);
      spinner.start(text);
    },
    stop: () => spinner.stop(),
  };
}

/**
 * Progress as lines, each at least `intervalMs` after the run started and after
 * the previous line; the latest step is the one shown. `now` is injectable for tests.
 */
export function progressLines(
  write: (line: string) => void,
  intervalMs: number,
  now: () => number = Date.now,
): Progress {
  let last = now();
  const say = (line: string, force: boolean) => {
    const at = now();
    if (!force && at - last < intervalMs) return;
    last = at;
    write(line);
  };
  return {
    update: (line) => say(line, intervalMs === 0),
    succeed: (line) => say(line, intervalMs === 0),
    stop: () => undefined,
  };
}
