import { InvalidArgumentError, Option } from 'commander';
import { OutputError } from '../../errors.js';
import type { Output } from '../../render/output.js';
import type { CliContext } from '../context.js';
import { reportPath } from './report-path.js';
import { writeStreamAtomic } from './write-atomic.js';

/** One `--output FORMAT=FILE`: the result once more, in this format, in this file. */
export interface OutputFile<F extends string = string> {
  readonly format: F;
  readonly path: string;
}

/**
 * `--output FORMAT=FILE`, repeatable, so one nightly run writes CSV for people and JSON for
 * programs besides what it prints.
 */
export function outputFilesOption<F extends string>(formats: readonly F[]): Option {
  return new Option(
    '--output <format=file>',
    'also write the result in this format to this file, atomically ' +
      `(repeatable; formats: ${formats.join(', ')})`,
  )
    .argParser((value: string, previous: OutputFile<F>[] = []) => [
      ...previous,
      parseOutputFile(value, formats),
    ])
    .default([], 'none');
}

export function parseOutputFile<F extends string>(
  value: string,
  formats: readonly F[],
): OutputFile<F> {
  const at = value.indexOf('=');
  const format = value.slice(0, Math.max(at, 0)).trim();
  const path = value.slice(at + 1);
  if (at < 0 || path === '')
    throw new InvalidArgumentError(`expected FORMAT=FILE, such as csv=mismatches.csv`);
  if (!(formats as readonly string[]).includes(format))
    throw new InvalidArgumentError(`unknown format "${format}"; choose from ${formats.join(', ')}`);
  return { format: format as F, path };
}

/**
 * Writes each --output file, in the order given. Every one is attempted; the first that cannot be
 * written fails the run (exit 74) once the rest are done, as the other report files do.
 */
export async function writeOutputFiles<F extends string>(
  files: readonly OutputFile<F>[],
  produce: (format: F, out: Output) => Promise<void>,
  context: Pick<CliContext, 'stdout' | 'stderr'>,
): Promise<void> {
  let unwritten: OutputError | undefined;
  for (const file of files) {
    const what = `${file.format} output`;
    try {
      const target = await reportPath(file.path);
      if (target.kind === 'refused')
        throw new OutputError(
          undefined,
          `cannot write the ${what} ${file.path}: it ${target.reason}`,
        );
      if (target.kind === 'stream') await produce(file.format, context[target.stream]);
      else
        await writeStreamAtomic(target.path, what, file.path, (out) => produce(file.format, out));
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      unwritten ??= error;
    }
  }
  if (unwritten) throw unwritten;
}
