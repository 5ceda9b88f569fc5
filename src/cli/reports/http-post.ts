import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';

/**
 * Where a request went, without the secrets a webhook URL carries in its path, query or user info.
 */
export function describeEndpoint(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * An http(s) URL, or a message saying what is wrong with it (for option parsing; it never repeats
 * the URL: its path is a secret).
 */
export function checkHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL (expected http:// or https://, then a host)';
  }
  return url.protocol === 'http:' || url.protocol === 'https:'
    ? undefined
    : `only http and https URLs are supported, not ${url.protocol}`;
}

/**
 * The URL to request and the headers that go with it: user info in the URL
 * (`https://user:pass@push.example.com`, a Pushgateway behind basic auth)
 * becomes an `Authorization: Basic` header, as fetch refuses a URL that
 * carries credentials.
 */
export function requestFor(url: string): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url, headers: {} };
  const credentials = `${decode(parsed.username)}:${decode(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.href,
    headers: { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` },
  };
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** How a POST that failed for a reason that may pass is tried again. */
export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  /** The wait before the first retry; it doubles for each next one, up to `maxDelayMs`. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** How a wait is waited (tests record it instead). */
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Three retries, 0.5 s, 1 s, then 2 s apart: a Pushgateway restarting or a webhook's brief 5xx
 * passes within that, and the whole stays well inside the default 10 s --notify-timeout.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  minDelayMs: 500,
  maxDelayMs: 4000,
  sleep: (ms) => sleep(ms),
};

/**
 * Network failures that may be gone by a later attempt: the peer restarting or dropping the
 * connection, a route or DNS answer that is briefly missing, the network stack's own timeouts.
 * A host that does not exist (ENOTFOUND), a refused redirect or a bad port will not change.
 */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** One attempt's failure; `note` says why no further attempt was made, when it is not obvious. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly note?: string,
  ) {
    super(message);
  }
}

/**
 * POSTs a body and resolves when the server answered 2xx. HTTP 429, 5xx and
 * network failures that may pass are tried again (DEFAULT_RETRY), after a
 * doubling wait or the server's Retry-After (429, 503), whichever is longer;
 * other statuses are final. `timeoutMs` bounds the whole, waits and retries
 * included: an attempt gets what is left of it, and a wait that would not leave
 * time for another attempt is not begun. Rejects with a message that names the
 * endpoint by origin only and says how many attempts were made. Redirects are
 * refused, so the credentials and the body go nowhere else.
 */
export async function postBody(
  url: string,
  body: string,
  contentType: string,
  timeoutMs: number,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  const where = describeEndpoint(url);
  const deadline = performance.now() + timeoutMs;
  const limit = `${timeoutMs / 1000} s`;
  let attempts = 0;
  try {
    await pRetry(
      () => {
        attempts++;
        return postOnce(url, body, contentType, deadline, limit);
      },
      {
        retries: retry.retries,
        // The wait is made in onFailedAttempt, the one place that sees the failure and so its
        // Retry-After; p-retry's own delay cannot vary per failure.
        minTimeout: 0,
        maxRetryTime: timeoutMs,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (retriesLeft === 0) return;
          const retryAfter = error instanceof AttemptError ? error.retryAfterMs : undefined;
          const backoff = Math.min(retry.minDelayMs * 2 ** (attempts - 1), retry.maxDelayMs);
          const wait = Math.max(backoff, retryAfter ?? 0);
          if (wait >= deadline - performance.now()) {
            const note =
              retryAfter !== undefined && retryAfter >= backoff
                ? `it asked to wait ${Math.ceil(retryAfter / 1000)} s, past the ${limit} limit`
                : `no time left for another within ${limit}`;
            throw new AttemptError(error.message, undefined, note);
          }
          await retry.sleep(wait);
        },
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const count = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    const note = error instanceof AttemptError && error.note ? `; ${error.note}` : '';
    throw new Error(`${where}: ${message} (${count}${note})`);
  }
}

/** One POST: resolves on 2xx; an AbortError for a failure no retry can mend. */
async function postOnce(
  url: string,
  body: string,
  contentType: string,
  deadline: number,
  limit: string,
): Promise<void> {
  let response: Response;
  try {
    const request = requestFor(url);
    response = await fetch(request.url, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...request.headers },
      signal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now()))),
      redirect: 'error',
    });
  } catch (error) {
    // Our own timeout is the whole budget running out: nothing is left to retry with.
    if (error instanceof Error && error.name === 'TimeoutError')
      throw new AbortError(new AttemptError(`no answer within ${limit}`));
    const failure = new AttemptError(reasonOf(error));
    throw TRANSIENT_CODES.has(codeOf(error) ?? '') ? failure : new AbortError(failure);
  }
  // Drain the body so the connection is released; its text helps only when the request failed (the
  // caller escapes it for the terminal).
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const excerpt = text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : '';
  const failure = new AttemptError(
    `HTTP ${response.status}${excerpt}`,
    response.status === 429 || response.status === 503
      ? retryAfterMs(response.headers.get('retry-after'))
      : undefined,
  );
  if (response.status === 429 || response.status >= 500) throw failure;
  throw new AbortError(failure);
}

/** Retry-After in milliseconds from now: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP date form begins with the day's name; Date.parse would take '-3' as a year.
  const date = /^[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The error code of a failed fetch: on its cause, or the first of a Happy Eyeballs aggregate. */
function codeOf(error: unknown): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const first = cause instanceof AggregateError ? cause.errors[0] : undefined;
  const code = (cause as { code?: unknown } | null)?.code ?? (first as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = codeOf(error);
  const message = cause instanceof Error ? cause.message : String(cause);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}
