import { byteSize, readUserBytes, UnreadableFileError } from '../../config/user-file.js';
import { UsageError } from '../../errors.js';

/** A limit on what one read may take, and the reason it exists (both go into the message). */
export interface ReadLimit {
  readonly maxBytes: number;
  /** Ends "…larger than N MiB: <why>". */
  readonly why: string;
}

/**
 * A report's bytes, read as every user-named file is (readUserBytes: a
 * regular file or a link to one, within the limit, never a FIFO or device),
 * with each refusal a UsageError naming the file.
 */
export function readRegularFile(file: string, limit: ReadLimit): Buffer {
  try {
    return readUserBytes(file, limit.maxBytes);
  } catch (error) {
    if (!(error instanceof UnreadableFileError))
      throw cannotRead(file, error as NodeJS.ErrnoException);
    if ('type' in error.problem) {
      throw new UsageError(
        `${file} is ${error.problem.type}, not a regular file: ` +
          'only regular files are read (a pipe or a device could block or never end)',
      );
    }
    throw new UsageError(`${file} is larger than ${byteSize(limit.maxBytes)}: ${limit.why}`);
  }
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
