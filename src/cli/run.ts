import { CommanderError } from 'commander';
import { describeDatabaseFailure } from '../db/driver/sqlstate.js';
import { ExitCode, InterruptedError, OutputError, SfsyncError } from '../errors.js';
import type { CliContext } from './context.js';
import { createProgram } from './program.js';
import { stderrText } from './stderr-text.js';

/**
 * The one place where errors become exit codes and messages. A user's mistake
 * or a database's failure gets one line (or one list) and no stack trace;
 * anything unexpected is a bug and says so, with the stack, so it can be
 * reported. Nothing printed here carries a password or a webhook URL's path,
 * or a control character (a file name, a server's message).
 */
export async function run(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  let code: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = context.exitCode;
  } catch (error) {
    code = report(stopReason(context) ?? error, context);
  }
  await context.stdout.flush?.();
  const stop = stopReason(context);
  // A failed output decides the outcome whatever the command concluded: its result was not
  // delivered.
  if (stop instanceof OutputError && code !== stop.exitCode) return report(stop, context);
  return code;
}

function stopReason(context: CliContext): SfsyncError | undefined {
  const reason: unknown = context.signal.aborted ? context.signal.reason : undefined;
  return reason instanceof InterruptedError || reason instanceof OutputError ? reason : undefined;
}

function report(error: unknown, context: CliContext): number {
  const say = (text: string) => context.stderr.write(`sfsync: ${stderrText(text)}\n`);
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof OutputError) {
    if (!error.quiet) say(error.message);
    return error.exitCode;
  }
  if (error instanceof InterruptedError) {
    say(
      `${error.message}: stopped at a safe point; ` +
        'nothing half-done was committed (see `sfsync journal`)',
    );
    return error.exitCode;
  }
  if (error instanceof SfsyncError) {
    say(error.message);
    return error.exitCode;
  }
  // A PostgreSQL or network error that did not pass through a sfsync connection (a script, the
  // simulator).
  const failure = describeDatabaseFailure(error);
  if (failure.sqlstate || failure.connectionLost) {
    say(`database: ${failure.text}`);
    return ExitCode.database;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say(`internal error — please report it with this output:\n${detail}`);
  return ExitCode.internal;
}
