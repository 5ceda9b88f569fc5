import { DatabaseError } from '../../errors.js';
import type { ClientSettings } from './client-config.js';
import { serverMessage, type FailureDescription } from './sqlstate.js';

/**
 * When a TLS attempt under `prefer`/`allow` (or no sslmode at all) may be
 * retried in plain text, as libpq retries it:
 * - `no-tls`: the server answered the SSLRequest with 'N' (built without TLS, or ssl=off);
 * - `refused-tls`: the server took TLS but pg_hba.conf refused this encrypted
 *   session (SQLSTATE 28000, a `hostnossl`-only entry), which it does before any password is sent;
 * - `handshake`: the TLS handshake itself failed (an OpenSSL protocol error).
 * Never on a certificate error (prefer does not verify, and a verifying mode
 * never falls back), a connection reset, or a wrong password: libpq also retries
 * after a refused password, which would send it a second time, unencrypted.
 */
export type PlainRetryReason = 'no-tls' | 'refused-tls' | 'handshake';

export function plainRetryReason(error: unknown): PlainRetryReason | undefined {
  const raw = unwrap(error) as { code?: unknown; message?: unknown } | undefined;
  const code = typeof raw?.code === 'string' ? raw.code : undefined;
  const message = typeof raw?.message === 'string' ? raw.message : '';
  if (code === undefined && message === 'The server does not support SSL connections')
    return 'no-tls';
  // 28000 is also "role is not permitted to log in", after the password: only pg_hba.conf's refusal
  // counts.
  if (code === '28000' && message.includes('pg_hba.conf')) return 'refused-tls';
  if (code === 'EPROTO' || code?.startsWith('ERR_SSL_')) return 'handshake';
  return undefined;
}

/**
 * Targets that refused TLS in this process, so the other pools of a run go
 * straight to plain text instead of asking again. Only a refusal by the server
 * itself is remembered (never a failed handshake, which may be the network's
 * doing), so a server that offers this target TLS is never downgraded by it;
 * the next run asks again.
 */
const refusedTls = new Set<string>();

export function knownToRefuseTls(settings: ClientSettings): boolean {
  return settings.plainFallback && refusedTls.has(settings.target);
}

export function rememberRefusal(settings: ClientSettings, reason: PlainRetryReason): void {
  if (reason !== 'handshake') refusedTls.add(settings.target);
}

/** A failed TLS attempt that was retried in plain text. */
export interface TlsAttempt {
  readonly reason: PlainRetryReason;
  readonly error: unknown;
}

/**
 * What a failed plain-text connection should add about TLS: a server that
 * refuses plain sessions answers "no pg_hba.conf entry …, no encryption", which
 * does not say that sslmode is the fix.
 */
export function tlsNote(
  attempt: ClientSettings,
  failure: FailureDescription,
  tlsFirst: TlsAttempt | undefined,
): string {
  if (attempt.unixSocket || attempt.config.ssl) return '';
  if (tlsFirst && tlsFirst.reason !== 'no-tls') {
    return `; tried with TLS first: ${serverMessage(tlsFirst.error)}`;
  }
  if (failure.sqlstate !== '28000') return '';
  if (tlsFirst) return '; this connection did not use TLS: the server does not offer it';
  const why =
    attempt.sslMode !== 'disable'
      ? ''
      : attempt.sslModeFrom === 'url'
        ? ' (sslmode=disable in the URL)'
        : ' (PGSSLMODE=disable)';
  return (
    `; this connection did not use TLS${why}: ` +
    'set sslmode=require (or PGSSLMODE=require) if the server requires it'
  );
}

/** The driver's own error: the pool adapter's DatabaseError keeps it as its cause. */
export function unwrap(error: unknown): unknown {
  return error instanceof DatabaseError ? error.cause : error;
}
