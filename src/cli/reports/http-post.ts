/** Where a request went, without the secrets a webhook URL carries in its path, query or user info. */
export function describeEndpoint(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** An http(s) URL, or a message saying what is wrong with it (for option parsing). */
export function checkHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : `only http and https URLs are supported, not ${url.protocol}`;
}

/**
 * POSTs a body and resolves when the server answered 2xx; rejects with a
 * message that names the endpoint by origin only, on a timeout, a refused
 * connection or any other status.
 */
export async function postBody(url: string, body: string, contentType: string, timeoutMs: number): Promise<void> {
  const where = describeEndpoint(url);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const cause = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : reasonOf(error);
    throw new Error(`${where}: ${cause}`);
  }
  // Drain the body so the connection is released; its text helps only when the request failed.
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new Error(`${where}: HTTP ${response.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`);
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
