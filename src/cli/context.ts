/** What a command may touch of the outside world; tests and programs can pass their own. */
export interface CliContext {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  /** Whether a person can answer a question (stdin is a terminal). */
  readonly stdinIsTTY: boolean;
  /** The arguments after `sfsync`, for the journal's record of the command line. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The command's outcome; the entry point turns it into the process exit code. */
  exitCode: number;
}

export function processContext(argv: readonly string[]): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    argv,
    env: process.env,
    cwd: process.cwd(),
    exitCode: 0,
  };
}
