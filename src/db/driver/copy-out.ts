import type { RowBatch } from '../../core/methods/row-batch.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/**
 * Batches (one per chunk the socket delivers, some 64 KiB) parsed ahead of the reader before the
 * socket is paused.
 */
const HIGH_WATER = 16;

type DataListener = (chunk: Buffer) => void;

interface Socket {
  pause(): void;
  resume(): void;
  listeners(event: 'data'): DataListener[];
  removeListener(event: 'data', listener: DataListener): void;
  on(event: 'data', listener: DataListener): void;
}

/** What node-postgres hands a query it did not build (its Submittable protocol). */
interface PgConnection {
  readonly stream: Socket;
  parse(query: { text: string; types: unknown[] }): void;
  bind(config: { values: unknown[] }): void;
  execute(config: { rows: number }): void;
  sync(): void;
}

/**
 * `COPY (query) TO STDOUT (FORMAT binary)` sent through the extended query
 * protocol (so the statement is parsed as exactly one command, as every other
 * statement sfsync sends), its rows read straight off the socket into
 * RowBatches: while the COPY runs, node-postgres's parser is set aside (as
 * pg-copy-streams does) and gets the socket back, with the bytes after the
 * data, for CommandComplete, ReadyForQuery or an error. A batch is the rows of
 * one chunk the socket delivered, left where they arrived (binary format has no
 * escaping: a text field's bytes are its UTF-8 text, in place), so a row costs
 * a few integer writes and no copy. The socket is paused while the reader is
 * HIGH_WATER batches behind, so memory holds a few batches however large the table.
 */
export class BinaryCopyOut {
  private socket: Socket | undefined;
  private pgListeners: DataListener[] = [];
  private readonly queue: RowBatch[] = [];
  private pending: Buffer | undefined;
  private headerSeen = false;
  private intercepting = false;
  private finished = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private discard = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    private readonly text: string,
    private readonly width: number,
  ) {}

  /** Whether the server is still sending (a session must not be reused until it stops). */
  get active(): boolean {
    return !this.finished;
  }

  submit(connection: PgConnection): void {
    const socket = connection.stream;
    this.socket = socket;
    // The previous statement ended with ReadyForQuery, so node-postgres's parser holds no partial
    // message here.
    this.pgListeners = socket.listeners('data');
    for (const listener of this.pgListeners) socket.removeListener('data', listener);
    socket.on('data', this.onData);
    this.intercepting = true;
    connection.parse({ text: this.text, types: [] });
    connection.bind({ values: [] });
    connection.execute({ rows: 0 });
    connection.sync();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCopyData(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  handleReadyForQuery(): void {
    this.restore();
    this.finished = true;
    this.notify();
  }

  handleError(error: Error): void {
    // Also called by node-postgres when the socket dies under us.
    this.restore();
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
            this.socket?.resume();
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
      // A reader that stops early: let the rest arrive and drop it (or the session is closed under
      // it).
      if (!this.finished) {
        this.discard = true;
        this.queue.length = 0;
        if (this.paused) this.socket?.resume();
        this.paused = false;
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Protocol messages off the socket: copy data is parsed here, anything else goes back to
   * node-postgres.
   */
  private receive(chunk: Buffer): void {
    // A message cut at the end of the previous chunk: one native copy joins it to this one.
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    // Every row takes at least its message header and field count, and each field its length word.
    const capacity = Math.ceil(data.length / (7 + 4 * this.width)) * this.width;
    const batch = {
      bytes: data,
      count: 0,
      width: this.width,
      starts: new Int32Array(capacity),
      ends: new Int32Array(capacity),
    };
    let at = 0;
    while (at < data.length) {
      const code = data[at]!;
      if (code === 0x63 /* CopyDone */ || code === 0x45 /* ErrorResponse */) {
        // What follows (CommandComplete and ReadyForQuery, or the error) is node-postgres's to
        // read, partial or not.
        this.push(batch);
        this.handBack(data.subarray(at));
        return;
      }
      if (data.length - at < 5) break;
      const end =
        at +
        1 +
        ((data[at + 1]! << 24) | (data[at + 2]! << 16) | (data[at + 3]! << 8) | data[at + 4]!);
      if (end > data.length) break;
      if (code === 0x64 /* CopyData */) this.row(batch, at + 5, end);
      else if (
        code === 0x4e /* Notice */ ||
        code === 0x53 /* ParameterStatus */ ||
        code === 0x41 /* Notification */
      ) {
        for (const listener of this.pgListeners) listener(data.subarray(at, end));
      }
      // ParseComplete, BindComplete and CopyOutResponse need nothing.
      at = end;
    }
    if (at < data.length) this.pending = data.subarray(at);
    this.push(batch);
    if (this.queue.length >= HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket?.pause();
    }
  }

  private handBack(rest: Buffer): void {
    this.restore();
    if (this.paused) {
      this.paused = false;
      this.socket?.resume();
    }
    if (rest.length > 0) for (const listener of this.pgListeners) listener(rest);
  }

  private restore(): void {
    if (!this.intercepting || !this.socket) return;
    this.intercepting = false;
    this.socket.removeListener('data', this.onData);
    for (const listener of this.pgListeners) this.socket.on('data', listener);
  }

  /** One CopyData message: a row (the first one after the file header), or the trailer. */
  private row(batch: MutableBatch, start: number, end: number): void {
    if (this.discard || this.failure) return;
    const data = batch.bytes;
    let at = start;
    if (!this.headerSeen) {
      if (end - at < 19 || !data.subarray(at, at + 11).equals(SIGNATURE)) {
        this.fail(new Error('COPY BINARY: the stream does not start with its signature'));
        return;
      }
      at += 19 + data.readInt32BE(at + 15);
      this.headerSeen = true;
      if (at >= end) return;
    }
    const fields = (data[at]! << 8) | data[at + 1]!;
    if (fields === 0xffff) return;
    if (fields !== this.width) {
      this.fail(
        new Error(`COPY BINARY: a row of ${fields} fields where ${this.width} were expected`),
      );
      return;
    }
    let p = at + 2;
    let slot = batch.count * this.width;
    for (let field = 0; field < fields; field++, slot++) {
      const size = (data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!;
      p += 4;
      if (size < 0) {
        batch.starts[slot] = -1;
        batch.ends[slot] = -1;
      } else {
        batch.starts[slot] = p;
        batch.ends[slot] = p + size;
        p += size;
      }
    }
    batch.count++;
  }

  private fail(error: Error): void {
    this.failure = error;
    this.discard = true;
    this.notify();
  }

  private push(batch: MutableBatch): void {
    if (batch.count === 0) return;
    this.queue.push(batch);
    this.notify();
  }
}

/** A batch while its chunk is parsed (a RowBatch once handed over). */
interface MutableBatch {
  readonly bytes: Buffer;
  count: number;
  readonly width: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}
