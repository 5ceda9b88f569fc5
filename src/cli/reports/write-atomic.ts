import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../../errors.js';
import type { Output } from '../../render/output.js';

/**
 * Writes a file so that a reader (node_exporter's textfile collector, a CI
 * artifact upload) sees the old content or the new, never half: a temporary
 * file in the same directory, flushed to disk, then renamed over the target.
 * `path` must be a regular file or nothing (report-path.ts decides); `shown`
 * is the name the user gave, for the message.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  what: string,
  shown = path,
): Promise<void> {
  const temp = tempBeside(path);
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw outputError(error, what, shown);
  }
}

/**
 * writeFileAtomic for an output produced in pieces (a repair's JSON of a million actions): the
 * pieces go to the temporary file as they come, waiting when its buffer is full, and the file is
 * renamed over `path` only once `produce` has finished.
 */
export async function writeStreamAtomic(
  path: string,
  what: string,
  shown: string,
  produce: (out: Output) => Promise<void>,
): Promise<void> {
  const temp = tempBeside(path);
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      // Pieces are gathered up to a chunk and written when the producer flushes (it does when
      // write says the chunk is full), one write at a time.
      let pending: string[] = [];
      let size = 0;
      let written = Promise.resolve();
      const flush = () => {
        const text = pending.join('');
        pending = [];
        size = 0;
        written = written.then(async () => {
          if (text) await file.write(text);
        });
        return written;
      };
      await produce({
        write: (text) => {
          pending.push(text);
          size += text.length;
          return size < CHUNK_CHARS;
        },
        flush,
      });
      await flush();
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    // A failure of the renderer itself is no file problem: it keeps its own message.
    throw (error as NodeJS.ErrnoException).code ? outputError(error, what, shown) : error;
  }
}

/** Characters gathered before an output file asks its producer to flush. */
const CHUNK_CHARS = 256 * 1024;

/** A temporary name in the target's directory, so the rename stays on one file system. */
function tempBeside(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

function outputError(error: unknown, what: string, shown: string): OutputError {
  const code = (error as NodeJS.ErrnoException).code;
  const codePrefix = code ? `${code}: ` : '';
  const detail = (error as Error).message.replace(/^\w+: /, '');
  return new OutputError(code, `cannot write the ${what} ${shown}: ${codePrefix}${detail}`);
}
