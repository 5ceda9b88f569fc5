import type { Command, Option } from 'commander';
import type { CliContext } from '../../src/cli/context.js';
import { createProgram } from '../../src/cli/program.js';

/** The real command tree, to check documentation and examples against. */
export const program = createProgram({
  stdout: { write: () => true },
  stderr: process.stderr,
  env: {},
  argv: [],
} as unknown as CliContext);

export function commandNamed(name: string): Command | undefined {
  return program.commands.find((c) => c.name() === name);
}

/** The options a command accepts: its own and the global ones. */
export function optionsOf(command: Command): Option[] {
  return [...command.options, ...program.options];
}

/** Words of a shell line, quotes removed (enough for documentation and examples). */
export function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * `sfsync <command> …` in a line of shell, as [command, ...arguments] up to a redirection, pipe or
 * comment; undefined when there is none.
 */
export function invocationIn(line: string): string[] | undefined {
  const match = /(?:^|[\s`(])sfsync ([a-z]+)(?=\s|$|`)(.*)$/.exec(line);
  if (!match) return undefined;
  const args = words(match[2]!.replace(/`.*$/, ''));
  const end = args.findIndex((w) => ['>', '|', '&&', '#', '\\|'].includes(w) || w.startsWith('#'));
  return [match[1]!, ...(end < 0 ? args : args.slice(0, end))];
}

/**
 * Problems with one invocation: an unknown command, an unknown option, an option missing its value.
 */
export function invocationProblems([name, ...args]: string[]): string[] {
  const command = commandNamed(name!);
  if (!command) return [`sfsync ${name}: no such command`];
  const options = optionsOf(command);
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') continue;
    const flag = arg.split('=')[0]!;
    const option = options.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      problems.push(`sfsync ${name} ${flag}: no such option`);
      continue;
    }
    if ((option.required || option.optional) && !arg.includes('=')) {
      const value = args[i + 1];
      if (option.required && (value === undefined || value.startsWith('--')))
        problems.push(`sfsync ${name} ${flag}: needs a value`);
      else i++;
    }
  }
  return problems;
}
