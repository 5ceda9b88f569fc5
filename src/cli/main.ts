import { processSession } from './context.js';
import { run } from './run.js';

/**
 * Entry point for bin/sfsync.js: sets the exit code rather than exiting, so piped output is never
 * cut off.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const session = processSession(argv);
  try {
    process.exitCode = await run(argv, session.context);
  } finally {
    session.dispose();
  }
}
