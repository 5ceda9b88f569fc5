import type { Output } from '../render/output.js';
import { DEFAULT_WIDTH } from '../render/table.js';

/** Narrower than this, no table can be laid out; a smaller COLUMNS is taken to mean this. */
const MIN_WIDTH = 40;

/**
 * How many columns the tables may take: COLUMNS when set (a person's explicit choice wins, as for
 * `ls` or Python), else the terminal's width, else DEFAULT_WIDTH (a pipe, a file, a CI log have no
 * width of their own).
 */
export function terminalWidth(context: {
  readonly stdout: Pick<Output, 'columns'>;
  readonly env: NodeJS.ProcessEnv;
}): number {
  const fromEnv = /^\s*(\d+)\s*$/.exec(context.env.COLUMNS ?? '');
  if (fromEnv && Number(fromEnv[1]) > 0) return Math.max(MIN_WIDTH, Number(fromEnv[1]));
  const columns = context.stdout.columns;
  if (columns !== undefined && columns > 0) return Math.max(MIN_WIDTH, columns);
  return DEFAULT_WIDTH;
}
