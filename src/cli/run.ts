import { CommanderError } from 'commander';
import { ExitCode, SfsyncError } from '../errors.js';
import type { CliContext } from './context.js';
import { createProgram } from './program.js';

/**
 * The one place where errors become exit codes and messages. A user's mistake
 * gets one line (or one list) and no stack trace; anything unexpected is a bug
 * and says so, with the stack, so it can be reported.
 */
export async function run(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help text).
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof SfsyncError) {
      context.stderr.write(`sfsync: ${error.message}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    context.stderr.write(`sfsync: internal error — please report it with this output:\n${detail}\n`);
    return ExitCode.internal;
  }
}
