import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../../errors.js';

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
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
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
    const code = (error as NodeJS.ErrnoException).code;
    const codePrefix = code ? `${code}: ` : '';
    const detail = (error as Error).message.replace(/^\w+: /, '');
    throw new OutputError(code, `cannot write the ${what} ${shown}: ${codePrefix}${detail}`);
  }
}
