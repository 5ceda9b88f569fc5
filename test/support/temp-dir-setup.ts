import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary directory for the whole test run, removed when it ends: every test's files, the
 * CLI runs' files and the test servers' data go under it (TMPDIR, which os.tmpdir() and the
 * subprocesses read), so `npm test` leaves nothing behind in /tmp (the scale test alone writes
 * some 250 MB of reports). Every project lists it first and they share the one directory; it is
 * removed as vitest's process exits, after every project's teardown stopped its server, whatever
 * order the projects were set up and torn down in.
 */
export default function setup(): void {
  if (process.env.SFSYNC_TEST_TMPDIR !== undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'sfsync-tests-'));
  // As /tmp is: run as root, the test servers run as postgres and must reach their directories.
  chmodSync(dir, 0o1777);
  process.env.SFSYNC_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}
