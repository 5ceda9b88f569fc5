import { randomBytes } from 'node:crypto';
import { openSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An open temporary file; `path` is set only where it could not be unlinked while open. */
export interface SpillFile {
  readonly fd: number;
  readonly path: string | undefined;
}

/**
 * A temporary file only this process can read, unlinked as soon as it is open so that nothing is
 * left behind even by kill -9 (where the platform allows it; else its owner unlinks it at close).
 */
export function openSpillFile(what: string): SpillFile {
  const path = join(tmpdir(), `sfsync-${what}-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
    return { fd, path: undefined };
  } catch {
    return { fd, path };
  }
}
