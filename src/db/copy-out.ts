import type { RowBatch } from '../core/row-batch.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const ROWS_PER_BATCH = 4_096;
const BYTES_PER_BATCH = 256 * 1024;
/** Batches parsed ahead of the reader before the socket is paused. */
const HIGH_WATER = 4;

/** What node-postgres hands a query it did not build (its Submittable protocol). */
interface PgConnection {
  readonly stream: { pause(): void; resume(): void };
  parse(query: { text: string; types: unknown[] }): void;
  bind(config: { values: unknown[] }): void;
  execute(config: { rows: number }): void;
  sync(): void;
}

/**
 * `COPY (query) TO STDOUT (FORMAT binary)` sent through the extended query
 * protocol (so the statement is parsed as exactly one command, as every other
 * statement sfsync sends), read straight into RowBatches. Binary format has no
 * escaping: a text field's bytes are the UTF-8 text, in place. The socket is
 * paused while the reader is HIGH_WATER batches behind, so memory holds a few
 * batches however large the table.
 */
export class BinaryCopyOut {
  private connection: PgConnection | undefined;
  private readonly queue: RowBatch[] = [];
  private building: Builder;
  private headerSeen = false;
  private finished = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private discard = false;
  rows = 0;

  constructor(
    private readonly text: string,
    private readonly width: number,
  ) {
    this.building = new Builder(width, BYTES_PER_BATCH);
  }

  /** Whether the server is still sending (a session must not be reused until it stops). */
  get active(): boolean {
    return !this.finished;
  }

  submit(connection: PgConnection): void {
    this.connection = connection;
    connection.parse({ text: this.text, types: [] });
    connection.bind({ values: [] });
    connection.execute({ rows: 0 });
    connection.sync();
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.discard || this.failure) return;
    try {
      this.parse(message.chunk);
    } catch (error) {
      this.failure = error as Error;
      this.discard = true;
      this.notify();
    }
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  handleReadyForQuery(): void {
    this.seal();
    this.finished = true;
    this.notify();
  }

  handleError(error: Error): void {
    this.failure ??= error;
    this.finished = true;
    this.notify();
  }

  async *batches(): AsyncGenerator<RowBatch> {
    try {
      for (;;) {
        const batch = this.queue.shift();
        if (batch) {
          if (this.paused && this.queue.length < HIGH_WATER / 2) {
            this.paused = false;
            this.connection?.stream.resume();
          }
          yield batch;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      // A reader that stops early: let the rest arrive and drop it (or the session is closed under it).
      if (!this.finished) {
        this.discard = true;
        this.queue.length = 0;
        if (this.paused) this.connection?.stream.resume();
        this.paused = false;
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private parse(chunk: Buffer): void {
    let at = 0;
    if (!this.headerSeen) {
      if (chunk.length < 19 || !chunk.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY BINARY: the stream does not start with its signature');
      at = 19 + chunk.readInt32BE(15);
      this.headerSeen = true;
      if (at >= chunk.length) return;
    }
    const fields = chunk.readInt16BE(at);
    if (fields === -1) return;
    if (fields !== this.width) throw new Error(`COPY BINARY: a row of ${fields} fields where ${this.width} were expected`);
    if (!this.building.fits(chunk.length - at)) {
      this.seal();
      this.building = new Builder(this.width, Math.max(BYTES_PER_BATCH, chunk.length - at));
    }
    this.building.add(chunk, at + 2);
    this.rows++;
    if (this.building.count === ROWS_PER_BATCH) this.seal();
  }

  private seal(): void {
    if (this.building.count === 0) return;
    this.queue.push(this.building.batch());
    this.building = new Builder(this.width, BYTES_PER_BATCH);
    if (this.queue.length >= HIGH_WATER && !this.paused && this.connection) {
      this.paused = true;
      this.connection.stream.pause();
    }
    this.notify();
  }
}

/** One batch being filled: each row's field bytes copied in at once, their positions recorded. */
class Builder {
  private readonly bytes: Buffer;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private used = 0;
  count = 0;

  constructor(
    private readonly width: number,
    size: number,
  ) {
    this.bytes = Buffer.allocUnsafe(size);
    this.starts = new Int32Array(ROWS_PER_BATCH * width);
    this.ends = new Int32Array(ROWS_PER_BATCH * width);
  }

  fits(rowBytes: number): boolean {
    return this.used + rowBytes <= this.bytes.length;
  }

  /** `at`: the first field's length word in `chunk`, which holds exactly one row. */
  add(chunk: Buffer, at: number): void {
    const base = this.used - at;
    chunk.copy(this.bytes, this.used, at);
    this.used += chunk.length - at;
    let slot = this.count * this.width;
    let p = at;
    for (let field = 0; field < this.width; field++, slot++) {
      const length = chunk.readInt32BE(p);
      p += 4;
      if (length < 0) {
        this.starts[slot] = -1;
        this.ends[slot] = -1;
      } else {
        this.starts[slot] = base + p;
        this.ends[slot] = base + p + length;
        p += length;
      }
    }
    this.count++;
  }

  batch(): RowBatch {
    return { bytes: this.bytes, count: this.count, width: this.width, starts: this.starts, ends: this.ends };
  }
}
