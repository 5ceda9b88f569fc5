import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * db/driver/copy-out.ts reads COPY BINARY straight off node-postgres's socket, through
 * what node-postgres gives a query object it did not build (its Submittable
 * protocol) and its socket's `data` listener. None of that is public API: this
 * contract fails loudly, naming what changed, when a `pg` upgrade moves it.
 */
const db = useFixtureDatabases();
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: db.mirrorUrl });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

type Send = Record<'parse' | 'bind' | 'execute' | 'sync', (arg?: unknown) => void>;

/**
 * A query object that records what node-postgres hands it and calls on it; it sends `text` itself.
 */
class Probe {
  connection: Record<string, unknown> | undefined;
  dataListeners = -1;
  readonly calls: string[] = [];
  private settle: () => void = () => undefined;
  readonly finished = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly text: string) {}

  submit(
    connection: Record<string, unknown> & { stream: { listeners(event: string): unknown[] } },
  ): void {
    this.connection = connection;
    this.dataListeners = connection.stream.listeners('data').length;
    const send = connection as unknown as Send;
    send.parse({ text: this.text, types: [] });
    send.bind({ values: [] });
    send.execute({ rows: 0 });
    send.sync();
  }

  handleRowDescription = () => this.record('handleRowDescription');
  handleDataRow = () => this.record('handleDataRow');
  handleCommandComplete = () => this.record('handleCommandComplete');
  handleEmptyQuery = () => this.record('handleEmptyQuery');
  handlePortalSuspended = () => this.record('handlePortalSuspended');
  handleCopyData = () => this.record('handleCopyData');
  handleReadyForQuery = () => this.record('handleReadyForQuery', true);
  handleError = () => this.record('handleError', true);

  private record(handler: string, last = false): void {
    this.calls.push(handler);
    if (last) this.settle();
  }
}

describe('node-postgres internals db/driver/copy-out.ts relies on (Submittable protocol)', () => {
  it('hand a submitted query the connection, its extended-protocol calls and socket', async () => {
    const probe = new Probe('select 1 as one');
    client.query(probe as unknown as pg.QueryConfig);
    await probe.finished;
    const connection = probe.connection!;
    expect(
      Object.fromEntries(
        ['parse', 'bind', 'execute', 'sync'].map((m) => [m, typeof connection[m]]),
      ),
    ).toEqual({
      parse: 'function',
      bind: 'function',
      execute: 'function',
      sync: 'function',
    });
    // copy-out.ts sets this listener (node-postgres's message parser) aside while the COPY runs,
    // and gives it back.
    expect(probe.dataListeners).toBe(1);
    const stream = connection.stream as Record<string, unknown>;
    expect(
      ['pause', 'resume', 'on', 'removeListener', 'listeners'].filter(
        (m) => typeof stream[m] !== 'function',
      ),
    ).toEqual([]);
  });

  it('call handlers by the names copy-out.ts implements, ReadyForQuery last', async () => {
    const probe = new Probe('select 1 as one');
    client.query(probe as unknown as pg.QueryConfig);
    await probe.finished;
    // No Describe is sent, so no RowDescription comes.
    expect(probe.calls).toEqual(['handleDataRow', 'handleCommandComplete', 'handleReadyForQuery']);
    // The session is usable afterwards: the parser got the socket back.
    await expect(client.query('select 2 as two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
  });

  it('end a failed query by handleError alone (copy-out.ts ends there), then usable', async () => {
    const probe = new Probe('select 1/0');
    client.query(probe as unknown as pg.QueryConfig);
    await probe.finished;
    expect(probe.calls).toEqual(['handleError']);
    await expect(client.query('select 3 as three')).resolves.toMatchObject({
      rows: [{ three: 3 }],
    });
  });
});
