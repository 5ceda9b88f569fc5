/**
 * `host:port/database` for messages: never the user, password or query string,
 * which may carry credentials.
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
    const host = parsed.hostname || parsed.searchParams.get('host') || 'local socket';
    return `${host}${parsed.port ? `:${parsed.port}` : ''}/${database}`;
  } catch {
    return 'a URL that is not a valid postgres:// URL';
  }
}
