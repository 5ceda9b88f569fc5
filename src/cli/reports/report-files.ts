import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { readUserFile } from '../../config/user-file.js';
import { OutputError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { reportPath } from './report-path.js';
import { writeFileAtomic } from './write-atomic.js';

/**
 * A previous metrics file larger than this is not read: sfsync's own are a few kilobytes per
 * entity.
 */
export const MAX_PREVIOUS_METRICS_BYTES = 16 * 2 ** 20;

type Streams = Pick<CliContext, 'stdout' | 'stderr'>;

/**
 * Writes a report file the user named (reportPath says how): replaced
 * atomically, or written to this process's own stdout/stderr when that is
 * what the path names. Anything else fails with exit 74 and one line.
 */
export async function writeReport(
  path: string,
  text: string,
  what: string,
  streams: Streams,
): Promise<void> {
  const target = await reportPath(path);
  if (target.kind === 'refused')
    throw new OutputError(undefined, `cannot write the ${what} ${path}: it ${target.reason}`);
  if (target.kind === 'stream') streams[target.stream].write(text);
  else await writeFileAtomic(target.path, text, what, path);
}

/**
 * Appends to a file the user named ($GITHUB_STEP_SUMMARY), under the same
 * rule as writeReport; what cannot be appended to is a warning. The file is
 * opened non-blocking and checked again once open, so a FIFO swapped in never blocks the run.
 */
export async function appendReport(
  path: string,
  text: string,
  what: string,
  streams: Streams,
  warn: (text: string) => void,
): Promise<void> {
  const target = await reportPath(path);
  if (target.kind === 'refused')
    return warn(`not appending to ${what} ${path}: it ${target.reason}`);
  if (target.kind === 'stream') {
    streams[target.stream].write(text);
    return;
  }
  try {
    const file = await open(
      target.path,
      constants.O_WRONLY |
        constants.O_APPEND |
        constants.O_CREAT |
        constants.O_NONBLOCK |
        constants.O_NOCTTY,
      0o644,
    );
    try {
      if (!(await file.stat()).isFile())
        return warn(`not appending to ${what} ${path}: it is no longer a regular file`);
      await file.appendFile(text);
    } finally {
      await file.close();
    }
  } catch (error) {
    warn(`cannot append to ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * The previous content of a report file, to carry values over (the metrics'
 * last success time): only from a regular file of at most
 * MAX_PREVIOUS_METRICS_BYTES. A missing file is the first run; a path that is
 * not a file is refused by the write that follows; anything else unreadable is a warning.
 */
export async function readPreviousReport(
  path: string,
  what: string,
  warn: (text: string) => void,
): Promise<string> {
  const target = await reportPath(path);
  if (target.kind !== 'file') return '';
  try {
    return readUserFile(target.path, MAX_PREVIOUS_METRICS_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      warn(
        `not reading the previous ${what} ${path} (${(error as Error).message}): ` +
          'its last success time is not carried over',
      );
    }
    return '';
  }
}
