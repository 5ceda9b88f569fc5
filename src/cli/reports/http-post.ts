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

/**
 * POSTs a body and resolves when the server answered 2xx; rejects with a
 * message that names the endpoint by origin only, on a timeout, a refused
 * connection or any other status. Redirects are refused, so the credentials
 * and the body go nowhere else.
 */
export async function postBody(
  url: string,
  body: string,
  contentType: string,
  timeoutMs: number,
): Promise<void> {
  const where = describeEndpoint(url);
  let response: Response;
  try {
    const request = requestFor(url);
    response = await fetch(request.url, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...request.headers },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const cause =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : reasonOf(error);
    throw new Error(`${where}: ${cause}`);
  }
  // Drain the body so the connection is released; its text helps only when the request failed (the
  // caller escapes it for the terminal).
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const excerpt = text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : '';
    throw new Error(`${where}: HTTP ${response.status}${excerpt}`);
  }
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
