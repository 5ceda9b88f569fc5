import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** How the sink answers: a status (with a short text), a status and a body, or never. */
export type Answer = number | { readonly status: number; readonly body: string } | 'hang';

export interface HttpSink {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for a webhook or a Pushgateway: it records
 * every request and answers as `respond` says (by default 200; `hang` never answers).
 */
export async function startHttpSink(
  respond: (request: Received) => Answer = () => 200,
): Promise<HttpSink> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body,
      };
      received.push(request);
      const answer = respond(request);
      if (answer === 'hang') hanging.push(res);
      else if (typeof answer === 'number')
        res
          .writeHead(answer, { 'content-type': 'text/plain' })
          .end(answer >= 400 ? 'upstream says no' : 'ok');
      else res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
