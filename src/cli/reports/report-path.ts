import { fstatSync, type Stats } from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileTypeName } from '../../config/user-file.js';

/** Where a report file the user named goes. */
export type ReportPath =
  /**
   * A regular file, or nothing yet: written by replacing it (temporary file, then rename). Symbolic
   * links are already followed.
   */
  | { readonly kind: 'file'; readonly path: string }
  /**
   * The path is this process's own standard output or error (`/dev/stdout`, `/dev/fd/2`): written
   * there, in place.
   */
  | { readonly kind: 'stream'; readonly stream: 'stdout' | 'stderr' }
  /**
   * Anything else (a device, a FIFO, a directory, a socket): never replaced, never written.
   * `reason` follows "it": "is a FIFO (named pipe), not a regular file".
   */
  | { readonly kind: 'refused'; readonly reason: string };

/** As the kernel's own limit on links followed in one lookup. */
const MAX_LINKS = 40;

/**
 * What writing a report to `path` means. A report replaces the file
 * atomically, so it may only be given a regular file or a path where nothing
 * is yet: a rename over `/dev/null` would replace the device node (as root),
 * over a FIFO or a directory would be wrong, and reading a FIFO's "previous
 * metrics" would block forever. Symbolic links are followed, by name, to what
 * they finally name and the same rule applies there (writing through a link
 * to a regular file is what the user meant), except a link in a shared sticky
 * directory (/tmp) owned by someone else — the kernel's protected_symlinks
 * rule, which a rename to the resolved target would otherwise bypass.
 */
export async function reportPath(path: string): Promise<ReportPath> {
  // /dev/stdout, /dev/fd/1, /proc/self/fd/1 reach the stream through kernel links that name no
  // file: recognised by what they reach.
  const reached = await stat(path).catch(() => undefined);
  const own = reached && ownStream(reached);
  if (own) return { kind: 'stream', stream: own };
  let current = resolve(path);
  for (let links = 0; ; links++) {
    const entry = await lstat(current).catch(() => undefined);
    if (!entry) {
      // Nothing there (or a path the write itself will explain, such as one through a missing
      // directory)…
      if (!reached) return { kind: 'file', path: current };
      // …unless the kernel reaches something through a link that names no file
      // (/proc/self/fd/N to a pipe).
      return {
        kind: 'refused',
        reason: `reaches ${fileTypeName(reached)} through a link that names no file`,
      };
    }
    const leads = links > 0 ? 'leads to' : 'is';
    if (entry.isFile()) return { kind: 'file', path: current };
    if (!entry.isSymbolicLink())
      return { kind: 'refused', reason: `${leads} ${fileTypeName(entry)}, not a regular file` };
    if (links === MAX_LINKS)
      return { kind: 'refused', reason: `is a chain of more than ${MAX_LINKS} symbolic links` };
    const directory = await realpath(dirname(current));
    const untrusted = await untrustedLink(directory, entry);
    if (untrusted) return { kind: 'refused', reason: `${leads} ${untrusted}` };
    current = resolve(directory, await readlink(current));
  }
}

function ownStream(reached: Stats): 'stdout' | 'stderr' | undefined {
  for (const [fd, stream] of [
    [1, 'stdout'],
    [2, 'stderr'],
  ] as const) {
    try {
      const open = fstatSync(fd);
      if (open.dev === reached.dev && open.ino === reached.ino) return stream;
    } catch {
      // That descriptor is closed.
    }
  }
  return undefined;
}

/**
 * Why a link must not be followed: one in a sticky, world-writable directory, owned neither by this
 * user nor by the directory's owner.
 */
async function untrustedLink(directory: string, link: Stats): Promise<string | undefined> {
  const dir = await stat(directory);
  const shared = (dir.mode & 0o1002) === 0o1002;
  const me = process.geteuid?.();
  if (!shared || me === undefined || link.uid === me || link.uid === dir.uid) return undefined;
  return (
    `a symbolic link owned by another user (uid ${link.uid}) ` +
    `in the shared directory ${directory}, which is not followed`
  );
}
