import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { UsageError } from '../../errors.js';

/** A limit on what one read may take, and the reason it exists (both go into the message). */
export interface ReadLimit {
  readonly maxBytes: number;
  /** Ends "…larger than N MiB: <why>". */
  readonly why: string;
}

/**
 * A file's bytes, if it is a regular file (a symbolic link to one is) of at
 * most `limit.maxBytes`. Anything else is refused without being read: a FIFO
 * would block until someone writes to it, a device like /dev/zero never ends,
 * a directory is no report. The file is opened non-blocking and checked again
 * once open, so one swapped in between cannot block either.
 */
export async function readRegularFile(file: string, limit: ReadLimit): Promise<Buffer> {
  const before = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw cannotRead(file, error);
  });
  refuseIrregular(file, before, limit);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((error: NodeJS.ErrnoException) => {
    throw cannotRead(file, error);
  });
  try {
    const opened = await handle.stat();
    refuseIrregular(file, opened, limit);
    if (opened.ino !== before.ino || opened.dev !== before.dev) throw new UsageError(`cannot read ${file}: it was replaced while being opened`);
    // One read of the size fstat gives (and a byte more, to see a file that grew); more only if it did grow.
    const chunks: Buffer[] = [];
    let total = 0;
    for (let size = opened.size + 1; ; size = 1 << 20) {
      const buffer = Buffer.allocUnsafe(Math.min(size, limit.maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit.maxBytes) throw tooLarge(file, limit);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw cannotRead(file, error as NodeJS.ErrnoException);
  } finally {
    await handle.close();
  }
}

function refuseIrregular(file: string, info: Stats, limit: ReadLimit): void {
  if (!info.isFile())
    throw new UsageError(`${file} is ${kind(info)}, not a regular file: only regular files are read (a pipe or a device could block or never end)`);
  if (info.size > limit.maxBytes) throw tooLarge(file, limit);
}

function kind(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

function tooLarge(file: string, limit: ReadLimit): UsageError {
  return new UsageError(`${file} is larger than ${byteSize(limit.maxBytes)}: ${limit.why}`);
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  ELOOP: 'a loop of symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
  ENAMETOOLONG: 'the name is too long',
};

function cannotRead(file: string, error: NodeJS.ErrnoException): UsageError {
  const reason = REASONS[error.code ?? ''] ?? error.code ?? error.message;
  return new UsageError(`cannot read ${file}: ${reason}`);
}

/** A size for a message: in MiB, KiB or bytes, to one decimal. */
export function byteSize(bytes: number): string {
  const [unit, size] = bytes >= 2 ** 20 ? ['MiB', 2 ** 20] : bytes >= 2 ** 10 ? ['KiB', 2 ** 10] : ['bytes', 1];
  return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
}
