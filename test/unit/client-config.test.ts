import { describe, expect, it } from 'vitest';
import { clientSettings } from '../../src/db/driver/client-config.js';
import { plainRetryReason, tlsNote } from '../../src/db/driver/tls-fallback.js';
import { describeDatabaseFailure } from '../../src/db/driver/sqlstate.js';

const url = 'postgres://app:pw@db.example.com:5432/app';
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('clientSettings: sslmode as libpq means it', () => {
  it('nothing given is prefer: unverified TLS, plain text if the server will not have it', () => {
    const settings = clientSettings(url, undefined);
    expect(settings.config.ssl).toEqual({ rejectUnauthorized: false });
    expect(settings).toMatchObject({
      sslMode: 'prefer',
      sslModeFrom: 'default',
      plainFallback: true,
      unixSocket: false,
    });
  });

  it('disable connects in plain text and never falls back', () => {
    for (const settings of [
      clientSettings(`${url}?sslmode=disable`, 'require'),
      clientSettings(url, 'disable'),
    ]) {
      expect(settings.config.ssl).toBe(false);
      expect(settings.plainFallback).toBe(false);
    }
    expect(clientSettings(url, 'disable').sslModeFrom).toBe('PGSSLMODE');
  });

  it('require encrypts without verifying, and never falls back to plain text', () => {
    const settings = clientSettings(url, 'require');
    expect(settings.config.ssl).toEqual({ rejectUnauthorized: false });
    expect(settings.plainFallback).toBe(false);
  });

  it('a Unix-domain socket never uses TLS, whatever sslmode says', () => {
    for (const mode of [undefined, 'prefer', 'require']) {
      const settings = clientSettings('postgres:///app?host=/var/run/postgresql', mode);
      expect(settings.config.ssl).toBe(false);
      expect(settings).toMatchObject({ unixSocket: true, plainFallback: false });
    }
  });
});

describe('plainRetryReason: what prefer may retry in plain text', () => {
  it('the server answering N to the SSLRequest', () => {
    expect(plainRetryReason(new Error('The server does not support SSL connections'))).toBe(
      'no-tls',
    );
  });

  it('pg_hba.conf refusing TLS (a hostnossl-only entry), which comes before any password', () => {
    const refusal = pgError(
      '28000',
      'no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", SSL encryption',
    );
    expect(plainRetryReason(refusal)).toBe('refused-tls');
    expect(
      plainRetryReason(pgError('28000', 'role "app" is not permitted to log in')),
    ).toBeUndefined();
  });

  it('a failed TLS handshake, but never a certificate error, a reset or a refused password', () => {
    expect(
      plainRetryReason(
        pgError('EPROTO', 'write EPROTO …:SSL routines:ssl3_get_record:wrong version number'),
      ),
    ).toBe('handshake');
    for (const error of [
      pgError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      pgError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
      pgError(
        'ECONNRESET',
        'Client network socket disconnected before secure TLS connection was established',
      ),
      pgError('28P01', 'password authentication failed for user "app"'),
    ]) {
      expect(plainRetryReason(error)).toBeUndefined();
    }
  });
});

describe('tlsNote: a refusal of plain text names sslmode', () => {
  const refused = describeDatabaseFailure(
    pgError(
      '28000',
      'no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", no encryption',
    ),
  );

  it('says where sslmode=disable came from and what to set', () => {
    expect(tlsNote(clientSettings(`${url}?sslmode=disable`, undefined), refused, undefined)).toBe(
      '; this connection did not use TLS (sslmode=disable in the URL): ' +
        'set sslmode=require (or PGSSLMODE=require) if the server requires it',
    );
    expect(tlsNote(clientSettings(url, 'disable'), refused, undefined)).toContain(
      '(PGSSLMODE=disable)',
    );
  });

  it('says nothing over TLS, over a Unix socket, or for another failure', () => {
    expect(tlsNote(clientSettings(url, 'require'), refused, undefined)).toBe('');
    expect(
      tlsNote(clientSettings('postgres:///app?host=/tmp', 'disable'), refused, undefined),
    ).toBe('');
    expect(
      tlsNote(
        clientSettings(url, 'disable'),
        describeDatabaseFailure(pgError('28P01', 'password authentication failed')),
        undefined,
      ),
    ).toBe('');
  });

  it('after a failed TLS try, gives both answers; after an N, says the server has no TLS', () => {
    const prefer = clientSettings(url, undefined);
    const plain = { ...prefer, config: { ...prefer.config, ssl: false } };
    const tlsRefused = pgError(
      '28000',
      'no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", SSL encryption',
    );
    expect(tlsNote(plain, refused, { reason: 'refused-tls', error: tlsRefused })).toBe(
      '; tried with TLS first: ' +
        'no pg_hba.conf entry for host "10.0.0.1", user "app", database "app", SSL encryption ' +
        '[SQLSTATE 28000]',
    );
    const noTls = new Error('The server does not support SSL connections');
    expect(tlsNote(plain, refused, { reason: 'no-tls', error: noTls })).toBe(
      '; this connection did not use TLS: the server does not offer it',
    );
  });
});
