/**
 * How much sfsync says on stderr besides errors: `--quiet` nothing but errors and warnings,
 * `--verbose` every progress step.
 */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface OutputMode {
  /** A person is watching stderr: spinners and prompts make sense. */
  readonly interactive: boolean;
  /** Colour on standard output. */
  readonly color: boolean;
  readonly verbosity: Verbosity;
}

interface Stream {
  readonly isTTY?: boolean | undefined;
}

/**
 * What the environment asks for. `CI` (any value but empty, `0` or `false`)
 * means nobody is watching even when a CI runner gives the job a pseudo-terminal.
 * Colour follows https://no-color.org and FORCE_COLOR: NO_COLOR wins, then
 * FORCE_COLOR (`0`/`false` turns colour off), then a terminal that is not `dumb`.
 */
export function outputMode(
  streams: { stdout: Stream; stderr: Stream },
  env: NodeJS.ProcessEnv,
  verbosity: Verbosity = 'normal',
): OutputMode {
  const ci = inCi(env);
  return {
    interactive: Boolean(streams.stderr.isTTY) && !ci,
    color: colorWanted(Boolean(streams.stdout.isTTY) && !ci, env),
    verbosity,
  };
}

/** A CI runner: nobody answers a prompt there, even through a pseudo-terminal. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  return isSet(env.CI);
}

function colorWanted(terminal: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return isSet(env.FORCE_COLOR) || env.FORCE_COLOR === '';
  return terminal && env.TERM !== 'dumb';
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
