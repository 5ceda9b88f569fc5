import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { CLI, ROOT } from './paths.js';

export interface CliResult {
  code: number;
  /** The signal that ended the process, if one did. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const childEnv = (env: NodeJS.ProcessEnv | undefined) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...env,
});

/** The environment the fixture config reads its database URLs from. */
export function fixtureEnv(
  db: { sourceUrl: string; mirrorUrl: string },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return { DATABASE_URL: db.sourceUrl, SALESFORCE_CONNECT_DB: db.mirrorUrl, ...extra };
}

/** Runs the built CLI (bin/sfsync.js → dist/) as a subprocess, as a user or a cron job would. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: childEnv(options.env),
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when the process has exited, with everything it printed. */
  readonly exited: Promise<CliResult>;
  /** Sends SIGTERM and resolves with how it ended. */
  stop(): Promise<CliResult>;
}

/**
 * Starts the CLI in the background (sim --watch, a repair to interrupt); `stdio` replaces the
 * default pipes.
 */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdio?: StdioOptions } = {},
): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: options.stdio ?? 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, stdout, stderr })),
  );
  return {
    child,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `check` until it returns a truthy value (or fails after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
