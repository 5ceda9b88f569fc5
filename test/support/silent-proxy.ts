import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay in front of a PostgreSQL server that can drop a session the way
 * a NAT gateway or a failed-over load balancer does: the server's side is
 * closed (the backend ends and its locks are released) while the client's
 * socket stays open and never hears from the server again — not even a FIN
 * when the client says goodbye (a blackhole). Sessions are told apart by the
 * application_name in their startup message.
 */
export interface SilentProxy {
  /** The server's URL, through the relay. */
  readonly url: string;
  /** Cuts every session whose application_name is `name`, silently; how many there were. */
  cut(name: string): number;
  close(): Promise<void>;
}

export async function silentProxy(serverUrl: string): Promise<SilentProxy> {
  const upstream = new URL(serverUrl);
  const sessions: { client: Socket; server: Socket; name: string | undefined }[] = [];
  // Half-open allowed: a client's FIN to a cut session is swallowed, never answered.
  const relay = createServer({ allowHalfOpen: true }, (client) => {
    const server = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
    const session: (typeof sessions)[number] = { client, server, name: undefined };
    sessions.push(session);
    client.on('error', () => undefined);
    server.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => {
      session.name ??= applicationName(chunk);
      if (!server.destroyed) server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    // Only the client going away ends the pair; the server's side ending (a cut) is never passed
    // on.
    client.on('end', () => {
      if (!server.destroyed) client.end();
    });
    client.on('close', () => server.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as { port: number }).port);
  url.searchParams.set('sslmode', 'disable');
  return {
    url: url.toString(),
    cut(name) {
      const cut = sessions.filter((s) => s.name === name && !s.server.destroyed);
      for (const session of cut) session.server.destroy();
      return cut.length;
    },
    close: () =>
      new Promise((resolve) => {
        for (const { client, server } of sessions) {
          client.destroy();
          server.destroy();
        }
        relay.close(() => resolve());
      }),
  };
}

/**
 * The application_name of a StartupMessage (protocol 3.0: length, version, then name/value pairs),
 * if the chunk is one.
 */
function applicationName(chunk: Buffer): string | undefined {
  if (chunk.length < 8 || chunk.readInt32BE(4) !== 196_608) return undefined;
  const fields = chunk.toString('utf8', 8, chunk.readInt32BE(0)).split('\0');
  const at = fields.indexOf('application_name');
  return at >= 0 ? fields[at + 1] : undefined;
}
