import fc from 'fast-check';
import { parse as parseConnectionString } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactCommandLine, redactSecrets } from '../../src/core/redact.js';

/**
 * The redaction fuzz: passwords from the whole printable-ASCII set (the
 * characters that break URLs and quoting over-represented) plus any Unicode
 * grapheme, written every way a user or a message would carry them. Each
 * property checks the exact redacted text, so the password (and its
 * percent-encoded form) is gone and the user, host, database and other
 * parameters stay. Seeds are fixed: a failure is reproducible and shrinks to
 * a minimal password.
 */
const RUNS = { seed: 18, numRuns: 1500 } as const;

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const special = fc.constantFrom(...` '"\`#@/?:&=%+;\\$!*()[]{}<>,|~^`);
// Raw line breaks are left out: a URL cannot carry one (WHATWG drops them) and redaction works line
// by line.
const grapheme = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
  .filter((g) => !/[\r\n]/.test(g));
const password = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: printable },
      { weight: 3, arbitrary: special },
      { weight: 1, arbitrary: grapheme },
    ),
    { minLength: 1, maxLength: 32 },
  )
  .map((chars) => chars.join(''));
const user = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
const database = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
const host = fc.constantFrom(
  'db.example.com',
  'db.example.com:5432',
  '127.0.0.1:6543',
  '[::1]:5432',
  'ec2-1-2-3-4.compute-1.amazonaws.com',
);
const query = fc.constantFrom('', '?sslmode=require', '?sslmode=require&application_name=nightly');
const secretKey = fc.constantFrom('password', 'sslpassword');

/** A message around a value, as errors and warnings embed URLs. */
const message = fc.tuple(
  fc.constantFrom('', 'cannot connect to ', 'sfsync: warning: ', "could not parse '"),
  fc.constantFrom('', ': connection refused', "' (attempt 2)"),
);

function check(input: string, expected: string): void {
  const redacted = redactSecrets(input);
  expect(redacted).toBe(expected);
  expect(redactSecrets(redacted)).toBe(redacted);
}

describe('redaction fuzz (fast-check, fixed seeds)', () => {
  it('postgres URLs, percent-encoded password: it goes; user, host and database stay', () => {
    fc.assert(
      fc.property(
        user,
        password,
        host,
        database,
        query,
        message,
        (u, pw, h, db, q, [before, after]) => {
          const url = `postgres://${u}:${encodeURIComponent(pw)}@${h}/${db}${q}`;
          expect(parseConnectionString(url).password).toBe(pw);
          const redacted = `postgres://${u}:${REDACTED}@${h}/${db}${q}`;
          check(url, redacted);
          check(`${before}${url}${after}`, `${before}${redacted}${after}`);
          const parsed = parseConnectionString(redactSecrets(url));
          expect([parsed.user, parsed.host, parsed.database, parsed.password]).toEqual([
            u,
            h.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'),
            db,
            REDACTED,
          ]);
        },
      ),
      RUNS,
    );
  });

  it('postgres URLs with the password written raw, whatever it holds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('postgres', 'postgresql'),
        user,
        password,
        host,
        database,
        query,
        message,
        (scheme, u, pw, h, db, q, [before, after]) => {
          const redacted = `${scheme}://${u}:${REDACTED}@${h}/${db}${q}`;
          check(`${scheme}://${u}:${pw}@${h}/${db}${q}`, redacted);
          check(
            `${before}${scheme}://${u}:${pw}@${h}/${db}${q}${after}`,
            `${before}${redacted}${after}`,
          );
        },
      ),
      RUNS,
    );
  });

  it('?password= and ?sslpassword= query parameters, percent-encoded and raw', () => {
    fc.assert(
      fc.property(user, password, host, database, secretKey, (u, pw, h, db, key) => {
        const url = (value: string) =>
          `postgres://${u}@${h}/${db}?sslmode=require&${key}=${value}&application_name=nightly`;
        expect(parseConnectionString(url(encodeURIComponent(pw)))[key]).toBe(pw);
        check(url(encodeURIComponent(pw)), url(REDACTED));
        expect(parseConnectionString(redactSecrets(url(encodeURIComponent(pw))))).toMatchObject({
          user: u,
          database: db,
          [key]: REDACTED,
        });
        // Raw (one argument: in a message a query value ends at a space), a value runs to the next
        // &name=; an & in it would end it for libpq too, so raw values here have none.
        if (!pw.includes('&')) expect(redactSecrets(url(pw), { whole: true })).toBe(url(REDACTED));
        if (!/[&\s]/.test(pw)) check(url(pw), url(REDACTED));
      }),
      RUNS,
    );
  });

  it("libpq conninfo: password='…' (\\' or '' inside), unquoted \\-escaped, sslpassword", () => {
    fc.assert(
      fc.property(
        user,
        password,
        database,
        secretKey,
        fc.constantFrom('=', ' = '),
        (u, pw, db, key, equals) => {
          const conninfo = (value: string) =>
            `host=db.example.com port=5432 user=${u} ${key}${equals}${value} ` +
            `dbname=${db} sslmode=require`;
          check(conninfo(`'${pw.replace(/[\\']/g, '\\$&')}'`), conninfo(REDACTED));
          check(conninfo(pw.replace(/[\\\s'"]/g, '\\$&')), conninfo(REDACTED));
          if (!pw.includes('\\'))
            check(conninfo(`'${pw.replace(/'/g, "''")}'`), conninfo(REDACTED));
        },
      ),
      RUNS,
    );
  });

  it('PGPASSWORD=… as a shell writes it: single-quoted, double-quoted, escaped', () => {
    fc.assert(
      fc.property(password, (pw) => {
        const command = (value: string) => `PGPASSWORD=${value} sfsync audit --config prod.json`;
        check(command(`"${pw.replace(/[\\"$`]/g, '\\$&')}"`), command(REDACTED));
        check(command(pw.replace(/[^A-Za-z0-9_]/g, '\\$&')), command(REDACTED));
        check(command(`'${pw.replace(/'/g, "'\\''")}'`), command(REDACTED));
      }),
      RUNS,
    );
  });

  it('webhook and Pushgateway URLs: user info and path go, scheme and host stay', () => {
    // A token ends in a letter or digit (punctuation after a URL in a message is the message's).
    const path = fc.stringMatching(/^[A-Za-z0-9\-._~%!$&'()*+,;=:@/]{0,59}[A-Za-z0-9]$/);
    // A URL parser ends the user info at the first / ? # or \, so a basic-auth password holding one
    // cannot be used raw: it is percent-encoded.
    const usable = password.filter((pw) => !/[/?#\\]/.test(pw));
    const around = fc.tuple(
      fc.constantFrom('', '--notify: ', 'sfsync: warning: --pushgateway: '),
      fc.constantFrom('', ' failed', ' (HTTP 401: ask ops@corp.example)'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https'),
        user,
        usable,
        host,
        path,
        around,
        (scheme, u, pw, h, p, [before, after]) => {
          check(
            `${before}${scheme}://${h}/${p}${after}`,
            `${before}${scheme}://${h}/${REDACTED}${after}`,
          );
          check(
            `${before}${scheme}://${u}:${encodeURIComponent(pw)}@${h}/${p}${after}`,
            `${before}${scheme}://${REDACTED}@${h}/${REDACTED}${after}`,
          );
          check(`${scheme}://${u}:${encodeURIComponent(pw)}@${h}`, `${scheme}://${REDACTED}@${h}`);
          // As one argument, the raw password may hold spaces too (a URL parser percent-encodes
          // them).
          expect(redactCommandLine(['--pushgateway', `${scheme}://${u}:${pw}@${h}/${p}`])).toBe(
            `--pushgateway ${scheme}://${REDACTED}@${h}/${REDACTED}`,
          );
          if (!/\s/.test(pw))
            check(
              `${before}${scheme}://${u}:${pw}@${h}${after}`,
              `${before}${scheme}://${REDACTED}@${h}${after}`,
            );
        },
      ),
      RUNS,
    );
  });
  it('a webhook glued to a DB URL by any character keeps no path, in a message or argument', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);
    const glue = fc.oneof(printable, special).filter((c) => !/\s/.test(c));
    fc.assert(
      fc.property(user, host, database, glue, token, (u, h, db, c, secret) => {
        const text =
          `postgres://${u}@${h}/${db}${c}` + `https://hooks.slack.com/services/T0/B0/${secret}`;
        expect(redactSecrets(text)).not.toContain(secret);
        expect(redactCommandLine([`--urls=${text}`])).not.toContain(secret);
      }),
      RUNS,
    );
  });
});
