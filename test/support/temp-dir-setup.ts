import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One temporary directory for the whole test run, removed when it ends: every test's files, the
 * CLI runs' files and the test servers' data go under it (TMPDIR, which os.tmpdir() and the
 * subprocesses read), so `npm test` leaves nothing behind in /tmp (the scale test alone writes
 * some 250 MB of reports). Listed first in each project's globalSetup, so its teardown runs last,
 * after the servers stopped; projects share the one directory.
 */
export default function setup(): () => void {
  const existing = process.env.SFSYNC_TEST_TMPDIR;
  const dir = existing ?? mkdtempSync(join(tmpdir(), 'sfsync-tests-'));
  // As /tmp is: run as root, the test servers run as postgres and must reach their directories.
  if (existing === undefined) chmodSync(dir, 0o1777);
  process.env.SFSYNC_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  return () => {
    if (existing === undefined) rmSync(dir, { recursive: true, force: true });
  };
}
