import type { CliContext } from './context.js';
import { createProgram } from './program.js';

/**
 * Each command's `--help` text at a fixed width, as the command reference shows it
 * (scripts/write-help-docs.js).
 */
export function helpTexts(width = 100): Map<string, string> {
  const silent = { write: () => true };
  const program = createProgram({
    stdout: silent,
    stderr: silent,
    env: {},
    argv: [],
  } as unknown as CliContext);
  return new Map(
    program.commands.map((command) => {
      command.configureHelp({ ...command.configureHelp(), helpWidth: width });
      return [command.name(), command.helpInformation().trimEnd()];
    }),
  );
}
