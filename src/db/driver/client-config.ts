import type { ClientConfig } from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';
import { UsageError } from '../../errors.js';

export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
  'no-verify',
] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface ClientSettings {
  readonly config: ClientConfig;
  /** The sslmode in effect: from the URL, else PGSSLMODE, else libpq's default, `prefer`. */
  readonly sslMode: SslMode;
  /** Where sslMode came from, to name it in messages. */
  readonly sslModeFrom: 'url' | 'PGSSLMODE' | 'default';
  /**
   * allow/prefer over TCP: try TLS first, and connect in plain text if the server will not have it.
   */
  readonly plainFallback: boolean;
  /** A Unix-domain socket: never TLS, whatever sslmode says (as in libpq). */
  readonly unixSocket: boolean;
  /** host:port/database/user, to remember within this process that a server refused TLS. */
  readonly target: string;
}

/**
 * A connection string as node-postgres options, with sslmode meaning what it
 * means in libpq (and so in psql and Heroku's documentation): nothing given is
 * `prefer` (TLS without verifying the certificate when the server offers it,
 * else plain); `require` encrypts without checking the certificate, which is
 * what Heroku Postgres needs; `verify-full` checks it. node-postgres on its own
 * connects in plain text when nothing is given, treats `require` as
 * `verify-full` and prints a multi-line warning about it; we decide here so
 * none of that happens. `sslmode` in the URL wins over the PGSSLMODE variable.
 */
export function clientSettings(url: string, sslModeFromEnv: string | undefined): ClientSettings {
  const { text, sslMode, sslModeFrom } = withSslMode(url, sslModeFromEnv);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text, { useLibpqCompat: true });
  } catch (error) {
    throw new UsageError(
      `the database URL cannot be used: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const {
    uselibpqcompat: _ignored,
    sslmode: _mode,
    ...rest
  } = parsed as typeof parsed & { uselibpqcompat?: unknown; sslmode?: unknown };
  const config = toClientConfig(rest) as ClientConfig;
  // pg-connection-string's libpq mode knows no `no-verify` (a node-postgres extension), and a
  // string that is not a URL got no sslmode added: both encrypt and never verify, as `prefer` does.
  if (sslMode === 'no-verify' || (sslMode === 'prefer' && !config.ssl)) {
    config.ssl = {
      ...(typeof config.ssl === 'object' ? config.ssl : {}),
      rejectUnauthorized: false,
    };
  }
  // node-postgres, like libpq, takes the host from PGHOST when the URL names none.
  const host = config.host || process.env.PGHOST || 'localhost';
  const unixSocket = host.startsWith('/');
  if (unixSocket || sslMode === 'disable') config.ssl = false;
  return {
    config,
    sslMode,
    sslModeFrom,
    plainFallback: !unixSocket && (sslMode === 'allow' || sslMode === 'prefer'),
    unixSocket,
    target: `${host}:${config.port ?? ''}/${config.database ?? ''}/${config.user ?? ''}`,
  };
}

/**
 * The URL with the effective sslmode in its query string, and that mode; `allow` is tried as
 * `prefer`.
 */
function withSslMode(
  url: string,
  fromEnv: string | undefined,
): { text: string; sslMode: SslMode; sslModeFrom: ClientSettings['sslModeFrom'] } {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL (a socket path, say): nothing to add; pg-connection-string decides.
  }
  const inUrl = parsed?.searchParams.get('sslmode') ?? undefined;
  const given = inUrl ?? (fromEnv?.trim() || undefined);
  const sslModeFrom = inUrl !== undefined ? 'url' : given !== undefined ? 'PGSSLMODE' : 'default';
  const mode = given ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    const where = sslModeFrom === 'url' ? 'sslmode in the database URL' : 'PGSSLMODE';
    throw new UsageError(`${where} is "${mode}"; expected one of ${SSL_MODES.join(', ')}`);
  }
  if (!parsed) return { text: url, sslMode: mode as SslMode, sslModeFrom };
  parsed.searchParams.delete('uselibpqcompat');
  parsed.searchParams.set('sslmode', mode === 'allow' ? 'prefer' : mode);
  return { text: parsed.toString(), sslMode: mode as SslMode, sslModeFrom };
}

/** The same settings without TLS, for the allow/prefer fallback. */
export function withoutTls(settings: ClientSettings): ClientSettings {
  return { ...settings, config: { ...settings.config, ssl: false }, plainFallback: false };
}
