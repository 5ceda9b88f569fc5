import { closeSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import type { Mismatch, Mismatches } from '../../core/audit/types.js';
import { openSpillFile, type SpillFile } from './spill-file.js';

/**
 * Mismatches an entity keeps in memory before the rest go to a temporary file: some 250 bytes
 * each, so about 1.5 MB an entity. The CLI's audit sets it; a library caller gets arrays.
 */
export const MISMATCHES_IN_MEMORY = 5_000;

export interface MismatchSpool {
  /** Adds a batch in key order (the classifier's order). */
  add(batch: readonly Mismatch[]): void;
  /** Ends the adding: the list reads the batches back on each pass, in the order they came. */
  finish(): Mismatches;
}

/** Closes (and where it could not be unlinked, removes) a spill once its list is unreachable. */
const spills = new FinalizationRegistry<SpillFile>(release);
/** Spill files still open when the process exits: only their paths need removing. */
const open = new Set<SpillFile>();

/**
 * Keeps the first `limit` mismatches in memory and writes the rest, a batch per record (a u32
 * length and the batch in V8's serialization, which keeps Dates, Buffers and bigints as they
 * were), to a spill file. Reading it back holds one batch at a time.
 */
export function spillingMismatches(limit = MISMATCHES_IN_MEMORY): MismatchSpool {
  const head: Mismatch[] = [];
  let file: SpillFile | undefined;
  let end = 0;
  let length = 0;
  let finished = false;
  return {
    add(batch) {
      if (finished) throw new Error('internal: a mismatch added after the list was read');
      length += batch.length;
      const room = Math.max(0, limit - head.length);
      for (const mismatch of batch.slice(0, room)) head.push(mismatch);
      if (batch.length <= room) return;
      const record = serialize(room === 0 ? batch : batch.slice(room));
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeUInt32LE(record.length);
      if (!file) {
        file = openSpillFile('mismatches');
        open.add(file);
      }
      end += writeAll(file.fd, prefix, end);
      end += writeAll(file.fd, record, end);
    },
    finish() {
      finished = true;
      const list = spilledList(head, file, end, length);
      if (file) spills.register(list, file);
      return list;
    },
  };
}

function spilledList(
  head: readonly Mismatch[],
  file: SpillFile | undefined,
  end: number,
  length: number,
): Mismatches {
  return {
    length,
    *[Symbol.iterator]() {
      yield* head;
      if (!file) return;
      for (let at = 0; at < end; ) {
        const size = readAll(file.fd, 4, at).readUInt32LE(0);
        const batch = deserialize(readAll(file.fd, size, at + 4)) as Mismatch[];
        at += 4 + size;
        yield* batch;
      }
    },
  };
}

function writeAll(fd: number, bytes: Buffer, position: number): number {
  for (let done = 0; done < bytes.length; )
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  return bytes.length;
}

function readAll(fd: number, size: number, position: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let done = 0; done < size; ) {
    const got = readSync(fd, bytes, done, size - done, position + done);
    if (got === 0) throw new Error('internal: a mismatch spill file ends mid-record');
    done += got;
  }
  return bytes;
}

function release(file: SpillFile): void {
  if (!open.delete(file)) return;
  closeSync(file.fd);
  if (file.path) unlinkSync(file.path);
}

process.once('exit', () => {
  for (const file of open) {
    try {
      release(file);
    } catch {
      // Exiting anyway: the temporary directory's cleaner gets what is left.
    }
  }
});
