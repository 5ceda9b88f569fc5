import { redactSecrets } from '../core/redact.js';
import { describeDatabaseFailure } from '../db/driver/sqlstate.js';
import { ExitCode, SfsyncError } from '../errors.js';

/**
 * The exit code and one-line message an error will end the run with (run.ts
 * prints it), for the reports a failed run still writes before it is rethrown.
 */
export function describeFailure(error: unknown): { exitCode: number; message: string } {
  if (error instanceof SfsyncError)
    return { exitCode: error.exitCode, message: redactSecrets(error.message) };
  const failure = describeDatabaseFailure(error);
  if (failure.sqlstate || failure.connectionLost)
    return { exitCode: ExitCode.database, message: redactSecrets(`database: ${failure.text}`) };
  return {
    exitCode: ExitCode.internal,
    message: redactSecrets(
      `internal error: ${error instanceof Error ? error.message : String(error)}`,
    ),
  };
}
