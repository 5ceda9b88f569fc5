import type { ClientConfig } from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';
import { UsageError } from '../errors.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface ClientSettings {
  readonly config: ClientConfig;
  /** The effective sslmode (from the URL, else PGSSLMODE), or undefined for none. */
  readonly sslMode: SslMode | undefined;
  /** allow/prefer: try TLS first and fall back to a plain connection if the server has no TLS. */
  readonly plainFallback: boolean;
}

/**
 * A connection string as node-postgres options, with sslmode meaning what it
 * means in libpq (and so in psql and Heroku's documentation): `require`
 * encrypts without checking the certificate, which is what Heroku Postgres
 * needs; `verify-full` checks it. node-postgres on its own treats `require` as
 * `verify-full` and prints a multi-line warning about it; we decide here so
 * neither happens. `sslmode` in the URL wins over the PGSSLMODE variable.
 */
export function clientSettings(url: string, sslModeFromEnv: string | undefined): ClientSettings {
  const { text, sslMode } = withSslMode(url, sslModeFromEnv);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text, { useLibpqCompat: true });
  } catch (error) {
    throw new UsageError(`the database URL cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { uselibpqcompat: _ignored, sslmode: _mode, ...rest } = parsed as typeof parsed & { uselibpqcompat?: unknown; sslmode?: unknown };
  const config = toClientConfig(rest) as ClientConfig;
  if (sslMode === undefined) config.ssl = false;
  // pg-connection-string's libpq mode knows no `no-verify` (a node-postgres extension): encrypt, never verify.
  if (sslMode === 'no-verify') config.ssl = { ...(typeof config.ssl === 'object' ? config.ssl : {}), rejectUnauthorized: false };
  return { config, sslMode, plainFallback: sslMode === 'allow' || sslMode === 'prefer' };
}

/** The URL with the effective sslmode in its query string, and that mode; `allow` is tried as `prefer`. */
function withSslMode(url: string, fromEnv: string | undefined): { text: string; sslMode: SslMode | undefined } {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL (a socket path, say): nothing to add; pg-connection-string decides.
  }
  const inUrl = parsed?.searchParams.get('sslmode') ?? undefined;
  const mode = inUrl ?? (fromEnv?.trim() || undefined);
  if (mode === undefined) return { text: url, sslMode: undefined };
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    const where = inUrl !== undefined ? 'sslmode in the database URL' : 'PGSSLMODE';
    throw new UsageError(`${where} is "${mode}"; expected one of ${SSL_MODES.join(', ')}`);
  }
  if (!parsed) return { text: url, sslMode: mode as SslMode };
  parsed.searchParams.delete('uselibpqcompat');
  parsed.searchParams.set('sslmode', mode === 'allow' ? 'prefer' : mode);
  return { text: parsed.toString(), sslMode: mode as SslMode };
}

/** The same settings without TLS, for the allow/prefer fallback. */
export function withoutTls(settings: ClientSettings): ClientSettings {
  return { ...settings, config: { ...settings.config, ssl: false }, plainFallback: false };
}
