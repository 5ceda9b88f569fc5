import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** What a path is, in words, for a message that refuses it. */
export function fileTypeName(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * The most sfsync reads of a config or a Connect export: far more than either ever is, far less
 * than memory.
 */
export const MAX_INPUT_BYTES = 64 * 2 ** 20;

/**
 * A user-named file that is not one sfsync reads: not a regular file (`kind` says what it is), or
 * too large.
 */
export class UnreadableFileError extends Error {
  constructor(readonly problem: { readonly type: string } | { readonly maxBytes: number }) {
    super(
      'type' in problem
        ? `it is ${problem.type}, not a regular file`
        : `it is larger than ${byteSize(problem.maxBytes)}`,
    );
  }
}

/**
 * The bytes of a file the user named (a config, an export, the previous
 * metrics, a report to merge), read only if it is a regular file of at most
 * `maxBytes`: a FIFO would block the read forever, /dev/zero would never end,
 * and opening some devices has effects of its own, so nothing else is even
 * opened. The type is checked again on the open descriptor (the path may have
 * been swapped), which is opened non-blocking and never as a controlling
 * terminal. Errors from the file system (ENOENT, EACCES) are thrown as they are.
 */
export function readUserBytes(path: string, maxBytes: number): Buffer {
  check(statSync(path), maxBytes);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const size = check(fstatSync(fd), maxBytes);
    // One byte more than allowed, so a file that grew since fstat is caught too.
    const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n)
      n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) throw new UnreadableFileError({ maxBytes });
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** readUserBytes as UTF-8 text. */
export function readUserFile(path: string, maxBytes: number): string {
  return readUserBytes(path, maxBytes).toString('utf8');
}

function check(stats: Stats, maxBytes: number): number {
  if (!stats.isFile()) throw new UnreadableFileError({ type: fileTypeName(stats) });
  if (stats.size > maxBytes) throw new UnreadableFileError({ maxBytes });
  return stats.size;
}

/** A size for a message: in MiB, KiB or bytes, to one decimal. */
export function byteSize(bytes: number): string {
  const [unit, size] =
    bytes >= 2 ** 20 ? ['MiB', 2 ** 20] : bytes >= 2 ** 10 ? ['KiB', 2 ** 10] : ['bytes', 1];
  return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
}
