import { closeSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { compareKeys } from '../../core/methods/key-order.js';
import type { Suspect, SuspectList } from '../../core/methods/key-summary.js';
import { openSpillFile, type SpillFile } from './spill-file.js';

/**
 * Suspects an audit holds in memory before it spills them to a file (some 150 bytes each with a
 * uuid key).
 */
export const SUSPECTS_IN_MEMORY = 20_000;
const READ_AHEAD = 64 * 1024;

/** A sorted run of suspects in the spill file. */
interface Run {
  readonly offset: number;
  bytes: number;
  last: string;
}

/**
 * A suspect list that keeps at most `limit` suspects in memory: past that it
 * writes them, sorted, as a run to a temporary file, and reads the runs back
 * merged in key order. Producers that add in key order (the stream method,
 * which is what a damaged mirror gets) extend one run, so reading back costs
 * one buffer. The file is a spill file (spill-file.ts), gone at close() at the latest.
 */
export function spillingSuspects(limit = SUSPECTS_IN_MEMORY): SuspectList {
  let buffer: Suspect[] = [];
  const runs: Run[] = [];
  let file: SpillFile | undefined;
  let end = 0;
  let size = 0;

  const spill = (): void => {
    if (buffer.length === 0) return;
    buffer.sort((a, b) => compareKeys(a.key, b.key));
    file ??= openSpillFile('suspects');
    const bytes = encode(buffer);
    writeSync(file.fd, bytes, 0, bytes.length, end);
    const previous = runs.at(-1);
    // Keys that all follow the previous run's extend it: a sorted producer ends up with a single
    // run.
    if (
      previous &&
      previous.offset + previous.bytes === end &&
      compareKeys(previous.last, buffer[0]!.key) < 0
    )
      previous.bytes += bytes.length;
    else runs.push({ offset: end, bytes: bytes.length, last: '' });
    runs.at(-1)!.last = buffer.at(-1)!.key;
    end += bytes.length;
    buffer = [];
  };

  return {
    add(suspect) {
      buffer.push(suspect);
      size++;
      if (buffer.length >= limit) spill();
    },
    get size() {
      return size;
    },
    async *chunks(max) {
      if (runs.length === 0) {
        buffer.sort((a, b) => compareKeys(a.key, b.key));
        for (let start = 0; start < buffer.length; start += max)
          yield buffer.slice(start, start + max);
        return;
      }
      spill();
      let chunk: Suspect[] = [];
      for (const suspect of mergeRuns(runs.map((run) => new RunReader(file!.fd, run)))) {
        chunk.push(suspect);
        if (chunk.length === max) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length > 0) yield chunk;
    },
    close() {
      buffer = [];
      if (!file) return;
      closeSync(file.fd);
      if (file.path) unlinkSync(file.path);
      file = undefined;
    },
  };
}

/** Each suspect as: key length (u32), key (UTF-8), source rows (u32), mirror rows (u32). */
function encode(suspects: readonly Suspect[]): Buffer {
  const keys = suspects.map((s) => Buffer.from(s.key, 'utf8'));
  const bytes = Buffer.allocUnsafe(keys.reduce((sum, key) => sum + key.length + 12, 0));
  let at = 0;
  suspects.forEach((suspect, i) => {
    const key = keys[i]!;
    at = bytes.writeUInt32LE(key.length, at);
    at += key.copy(bytes, at);
    at = bytes.writeUInt32LE(suspect.sourceRows, at);
    at = bytes.writeUInt32LE(suspect.mirrorRows, at);
  });
  return bytes;
}

/** Reads one run back, a buffer at a time. */
class RunReader {
  private buffer = Buffer.alloc(0);
  private at = 0;
  private position: number;
  private readonly end: number;
  head: Suspect | undefined;

  constructor(
    private readonly fd: number,
    run: Run,
  ) {
    this.position = run.offset;
    this.end = run.offset + run.bytes;
    this.advance();
  }

  advance(): void {
    if (!this.available(4)) {
      this.head = undefined;
      return;
    }
    const length = this.buffer.readUInt32LE(this.at);
    if (!this.available(4 + length + 8))
      throw new Error('internal: a suspect spill run ends mid-record');
    const start = this.at + 4;
    const key = this.buffer.toString('utf8', start, start + length);
    this.head = {
      key,
      sourceRows: this.buffer.readUInt32LE(start + length),
      mirrorRows: this.buffer.readUInt32LE(start + length + 4),
    };
    this.at = start + length + 8;
  }

  /**
   * Whether `bytes` more bytes of the run are in the buffer, reading on when they are in the file.
   */
  private available(bytes: number): boolean {
    if (this.buffer.length - this.at >= bytes) return true;
    const left = this.end - this.position;
    if (left <= 0) return false;
    const rest = this.buffer.subarray(this.at);
    const read = Buffer.allocUnsafe(rest.length + Math.min(left, Math.max(READ_AHEAD, bytes)));
    rest.copy(read);
    const got = readSync(this.fd, read, rest.length, read.length - rest.length, this.position);
    this.position += got;
    this.buffer = read.subarray(0, rest.length + got);
    this.at = 0;
    return this.buffer.length >= bytes;
  }
}

/** The runs' suspects merged in key order (a binary heap of the runs' heads). */
function* mergeRuns(readers: RunReader[]): Generator<Suspect> {
  const heap = readers.filter((r) => r.head !== undefined);
  const less = (a: RunReader, b: RunReader) => compareKeys(a.head!.key, b.head!.key) < 0;
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && less(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && less(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  };
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.head!;
    top.advance();
    if (top.head === undefined) {
      heap[0] = heap.at(-1)!;
      heap.pop();
    }
    if (heap.length > 0) down(0);
  }
}
