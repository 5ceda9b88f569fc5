import { execFile, spawn } from 'node:child_process';
import { CLI, ROOT } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (bin/sfsync.js → dist/) as a subprocess, as a user or a cron job would. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Starts the CLI in the background (sim --watch, say); stop() sends SIGTERM and resolves with how it ended. */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): { stop(): Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve) => child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return {
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
