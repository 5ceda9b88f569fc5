import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { connect, type Connection } from '../../src/db/driver/connect.js';
import { DatabaseError } from '../../src/errors.js';

/**
 * A TCP relay in front of the real test server that answers the client's
 * SSLRequest itself, the way a server without TLS ('N') or a broken TLS
 * endpoint would, and relays every plain-text connection to PostgreSQL. It
 * counts what it sees, so the tests can tell a TLS attempt from a plain one.
 */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
/** A TLS alert record: fatal handshake_failure. */
const HANDSHAKE_FAILURE = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

interface Relay {
  readonly url: string;
  readonly seen: { sslRequests: number; plain: number };
  close(): Promise<void>;
}

async function relay(answer: 'refuse' | 'break-handshake'): Promise<Relay> {
  const upstream = new URL(inject('pgAdminUrl'));
  const seen = { sslRequests: 0, plain: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', (first) => {
      if (first.equals(SSL_REQUEST)) {
        seen.sslRequests += 1;
        if (answer === 'refuse') {
          client.end('N');
        } else {
          client.write('S');
          client.once('data', () => client.end(HANDSHAKE_FAILURE));
        }
        return;
      }
      seen.plain += 1;
      const server = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
      sockets.add(server);
      server.on('error', () => client.destroy());
      client.on('close', () => server.destroy());
      server.write(first);
      client.pipe(server).pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(upstream);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const opened: Connection[] = [];
const relays: Relay[] = [];
afterEach(async () => {
  for (const connection of opened.splice(0)) await connection.close();
  for (const r of relays.splice(0)) await r.close();
});

async function open(url: string, sslModeFromEnv?: string): Promise<Connection> {
  const connection = await connect(
    { role: 'mirror', schema: 'public', url, sslModeFromEnv },
    { maxConnections: 1 },
  );
  opened.push(connection);
  return connection;
}
const encrypted = async (connection: Connection) =>
  (
    await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(
      connection.db,
    )
  ).rows[0]!.ssl;

describe('no sslmode: TLS first, plain text where the server will not have it', () => {
  it("a server answering 'N' gets a plain session; its next pool does not ask again", async () => {
    const r = await relay('refuse');
    relays.push(r);
    expect(await encrypted(await open(r.url))).toBe(false);
    expect(await encrypted(await open(r.url))).toBe(false);
    expect(r.seen).toEqual({ sslRequests: 1, plain: 2 });
  });

  it('a failed TLS handshake falls back to plain text like libpq, not remembered', async () => {
    const r = await relay('break-handshake');
    relays.push(r);
    expect(await encrypted(await open(r.url))).toBe(false);
    await open(r.url);
    expect(r.seen).toEqual({ sslRequests: 2, plain: 2 });
  });

  it('require never falls back: the failed handshake is the error', async () => {
    const r = await relay('break-handshake');
    relays.push(r);
    const attempt = open(r.url, 'require');
    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    await expect(attempt).rejects.toThrow(
      /^cannot connect to the mirror database \(127\.0\.0\.1:\d+\/postgres\): .*SSL routines/,
    );
    expect(r.seen).toEqual({ sslRequests: 1, plain: 0 });
  });
});
