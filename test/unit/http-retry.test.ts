import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  postBody,
  type RetryPolicy,
  retryAfterMs,
} from '../../src/cli/reports/http-post.js';

/** How the server answers its nth request (1-based). */
type Answer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | 'hang'
  | 'reset';

interface Server {
  readonly url: string;
  /** Paths of the requests received, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(answer: (n: number) => Answer): Promise<Server> {
  const requests: string[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(req.url ?? '');
      const a = answer(requests.length);
      if (a === 'hang') hanging.push(res);
      else if (a === 'reset') req.socket.destroy();
      else res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const result = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(result);
  return result;
}

/**
 * DEFAULT_RETRY with short waits that are recorded, so a test sees the backoff without sitting
 * through it (unless `real`).
 */
function fastRetry(overrides: Partial<RetryPolicy> = {}, real = false) {
  const waits: number[] = [];
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY,
    minDelayMs: 10,
    maxDelayMs: 1000,
    sleep: async (ms) => {
      waits.push(ms);
      if (real) await sleep(ms);
    },
    ...overrides,
  };
  return { policy, waits };
}

const post = (url: string, timeoutMs: number, policy: RetryPolicy) =>
  postBody(`${url}/hooks/s3cret?token=hunter2`, '{}', 'application/json', timeoutMs, policy);

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, 'the POST should have failed').toBeInstanceOf(Error);
  expect(error!.message).not.toMatch(/s3cret|hunter2/);
  return error!.message;
};

describe('postBody retries', () => {
  it('retries 503 with a doubling wait, then succeeds', async () => {
    const server = await serve((n) => (n <= 2 ? { status: 503, body: 'busy' } : { status: 200 }));
    const { policy, waits } = fastRetry();
    await post(server.url, 5000, policy);
    expect(server.requests).toEqual(Array(3).fill('/hooks/s3cret?token=hunter2'));
    expect(waits).toEqual([10, 20]);
  });

  it('waits as long as a 429 says in Retry-After', async () => {
    const server = await serve((n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 204 },
    );
    const { policy, waits } = fastRetry();
    await post(server.url, 5000, policy);
    expect(server.requests).toHaveLength(2);
    expect(waits).toEqual([2000]);
  });

  it('takes Retry-After as an HTTP date on a 503', async () => {
    const server = await serve((n) =>
      n === 1
        ? {
            status: 503,
            headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() },
          }
        : { status: 200 },
    );
    const { policy, waits } = fastRetry();
    await post(server.url, 10_000, policy);
    // An HTTP date has whole seconds: 3 s from now is 2 to 3 s away once it is read.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(1000);
    expect(waits[0]).toBeLessThanOrEqual(3000);
  });

  it('gives up at once when Retry-After is past the time limit, and says so', async () => {
    const server = await serve(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    const { policy, waits } = fastRetry();
    const message = await failure(post(server.url, 2000, policy));
    expect(message).toBe(
      `${server.url}: HTTP 429 (1 attempt; it asked to wait 30 s, past the 2 s limit)`,
    );
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('does not retry a 404, and says it made one attempt', async () => {
    const server = await serve(() => ({ status: 404, body: 'no such\nhook' }));
    const { policy, waits } = fastRetry();
    expect(await failure(post(server.url, 5000, policy))).toBe(
      `${server.url}: HTTP 404: no such hook (1 attempt)`,
    );
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('stops after the last retry and counts every attempt', async () => {
    const server = await serve(() => ({ status: 500, body: 'upstream says no' }));
    const { policy, waits } = fastRetry({ maxDelayMs: 25 });
    expect(await failure(post(server.url, 5000, policy))).toBe(
      `${server.url}: HTTP 500: upstream says no (4 attempts)`,
    );
    expect(server.requests).toHaveLength(4);
    // 10, 20, then 40 capped at maxDelayMs.
    expect(waits).toEqual([10, 20, 25]);
  });

  it('gives up on a server that never answers once the time limit is spent', async () => {
    const server = await serve(() => 'hang');
    const { policy } = fastRetry();
    const started = performance.now();
    expect(await failure(post(server.url, 300, policy))).toBe(
      `${server.url}: no answer within 0.3 s (1 attempt)`,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });

  it('bounds the whole by the time limit: a wait that would pass it is not begun', async () => {
    const server = await serve(() => ({ status: 502 }));
    // Waits that take their time: the limit is measured on the clock.
    const { policy, waits } = fastRetry({ minDelayMs: 400 }, true);
    expect(await failure(post(server.url, 1000, policy))).toBe(
      `${server.url}: HTTP 502 (2 attempts; no time left for another within 1 s)`,
    );
    expect(waits).toEqual([400]);
  });

  it('retries a connection the server drops', async () => {
    const server = await serve((n) => (n === 1 ? 'reset' : { status: 200 }));
    const { policy, waits } = fastRetry();
    await post(server.url, 5000, policy);
    expect(server.requests).toHaveLength(2);
    expect(waits).toEqual([10]);
  });

  it('retries a refused connection, and names the cause', async () => {
    const server = await serve(() => ({ status: 200 }));
    await server.close();
    const { policy, waits } = fastRetry();
    const message = await failure(post(server.url, 5000, policy));
    expect(message).toMatch(
      new RegExp(`^${server.url}: connect ECONNREFUSED [^ ]+ \\(4 attempts\\)$`),
    );
    expect(waits).toEqual([10, 20, 40]);
  });

  it('does not follow or retry a redirect', async () => {
    const server = await serve(() => ({ status: 307, headers: { location: '/elsewhere' } }));
    const { policy, waits } = fastRetry();
    expect(await failure(post(server.url, 5000, policy))).toBe(
      `${server.url}: unexpected redirect (1 attempt)`,
    );
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs(' 7 ')).toBe(7000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('-3')).toBeUndefined();
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:00 GMT')).toBe(0);
  });
});
