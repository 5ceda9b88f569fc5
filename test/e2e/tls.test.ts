import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/db/server/embedded-postgres.js';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';
import { runSqlFile } from '../../src/db/driver/run-sql-file.js';
import { runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';
import { CONNECT_RUNTIME_SQL, FIXTURE_CONFIG, FIXTURE_DIR } from '../support/paths.js';

/**
 * A second server that speaks TLS with a self-signed certificate, as Heroku
 * Postgres does: with no sslmode the session must be encrypted (libpq's
 * `prefer`), `sslmode=require` must connect (encrypting, not verifying),
 * `verify-full` must refuse it, and node-postgres's multi-line warning about
 * sslmode must never reach the user. Its pg_hba.conf takes `app` and `connect`
 * either way, `sslonly` only over TLS (as Heroku does) and `plainonly` only
 * without it.
 */
let server: EmbeddedPostgres;
let certDir: string;
let source: string;
let mirror: string;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'sfsync-tls-'));
  const key = join(certDir, 'server.key');
  const cert = join(certDir, 'server.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=sfsync-test',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    {
      stdio: 'pipe',
    },
  );
  chmodSync(key, 0o600);
  const hba = join(certDir, 'pg_hba.conf');
  writeFileSync(
    hba,
    [
      'local     all                               all  trust',
      'hostssl   app,connect,postgres,sslonly      all  127.0.0.1/32  trust',
      'hostnossl app,connect,postgres,plainonly    all  127.0.0.1/32  trust',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) {
    // The server runs as the postgres OS user when we are root, and insists on owning its key.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
    for (const file of [certDir, key, cert, hba]) chownSync(file, id('-u'), id('-g'));
  }
  server = await startEmbeddedPostgres({
    settings: { ssl: 'on', ssl_cert_file: cert, ssl_key_file: key, hba_file: hba },
  });
  await createDatabases(server.url, ['app', 'connect', 'sslonly', 'plainonly']);
  source = withDatabase(server.url, 'app');
  mirror = withDatabase(server.url, 'connect');
  await runSqlFile(source, `${FIXTURE_DIR}/source.sql`);
  await runSqlFile(mirror, CONNECT_RUNTIME_SQL);
  await runSqlFile(mirror, `${FIXTURE_DIR}/mirror.sql`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

const doctor = (sourceUrl: string, mirrorUrl: string, env: NodeJS.ProcessEnv = {}) =>
  runCli(
    [
      'doctor',
      '--config',
      FIXTURE_CONFIG,
      '--source-url',
      sourceUrl,
      '--mirror-url',
      mirrorUrl,
      '--format',
      'json',
    ],
    { env },
  );
const withMode = (url: string, mode: string) => `${url}?sslmode=${mode}`;
const PASSWORD = 's3cr3t-Pw';
const withPassword = (url: string) => url.replace('://postgres@', `://postgres:${PASSWORD}@`);
const plainServer = useFixtureDatabases();

describe('sslmode, as libpq means it', () => {
  it('nothing given: encrypted sessions where the server offers TLS (libpq prefer)', async () => {
    const result = await doctor(source, mirror);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect([report.databases.source.tls, report.databases.mirror.tls]).toEqual([true, true]);
  });

  it('nothing given: plain text where the server has no TLS, as before', async (context) => {
    if (await serverHasTls(inject('pgAdminUrl'))) context.skip();
    const result = await doctor(plainServer.sourceUrl, plainServer.mirrorUrl);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout);
    expect([report.databases.source.tls, report.databases.mirror.tls]).toEqual([false, false]);
  });

  it('nothing given: plain text if pg_hba.conf refuses TLS (hostnossl), like libpq', async () => {
    const { code, stdout, stderr } = await runCli(
      [
        'journal',
        '--config',
        FIXTURE_CONFIG,
        '--mirror-url',
        withDatabase(server.url, 'plainonly'),
        '--format',
        'json',
      ],
      {},
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout).runs).toEqual([]);
  });

  it('PGSSLMODE=disable: plain text even where the server offers TLS', async () => {
    const result = await doctor(source, mirror, { PGSSLMODE: 'disable' });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect([report.databases.source.tls, report.databases.mirror.tls]).toEqual([false, false]);
  });

  it('TLS-only server, sslmode=disable: exit 3, one line naming sslmode, no password', async () => {
    const only = withPassword(withMode(withDatabase(server.url, 'sslonly'), 'disable'));
    const result = await runCli(['journal', '--config', FIXTURE_CONFIG, '--mirror-url', only], {});
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: cannot connect to the mirror database \(127\.0\.0\.1:\d+\/sslonly\): ` +
          'the server refused this role or client address .*' +
          String.raw`no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", ` +
          String.raw`database "sslonly", no encryption \[SQLSTATE 28000\]; ` +
          String.raw`this connection did not use TLS \(sslmode=disable in the URL\): ` +
          String.raw`set sslmode=require \(or PGSSLMODE=require\) if the server requires it\n$`,
      ),
    );
    expect(result.stderr).not.toContain(PASSWORD);

    const viaEnv = await doctor(
      withPassword(withDatabase(server.url, 'sslonly')),
      withPassword(mirror),
      { PGSSLMODE: 'disable' },
    );
    expect(viaEnv.code).toBe(3);
    const finding = JSON.parse(viaEnv.stdout).findings.find(
      (f: { code: string }) => f.code === 'unreachable',
    );
    expect(finding.message).toMatch(
      new RegExp(
        String.raw`no encryption \[SQLSTATE 28000\]; ` +
          String.raw`this connection did not use TLS \(PGSSLMODE=disable\): set sslmode=require`,
      ),
    );
    expect(viaEnv.stdout + viaEnv.stderr).not.toContain(PASSWORD);
  });

  it('nothing given, pg_hba.conf refusing both: exit 3, both refusals in one line', async () => {
    const result = await runCli(
      [
        'journal',
        '--config',
        FIXTURE_CONFIG,
        '--mirror-url',
        withPassword(withDatabase(server.url, 'nowhere')),
      ],
      {},
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        String.raw`^sfsync: cannot connect to the mirror database \(127\.0\.0\.1:\d+\/nowhere\): ` +
          String.raw`.*database "nowhere", no encryption \[SQLSTATE 28000\]; ` +
          String.raw`tried with TLS first: no pg_hba\.conf entry for host "127\.0\.0\.1", ` +
          String.raw`user "postgres", database "nowhere", SSL encryption \[SQLSTATE 28000\]\n$`,
      ),
    );
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('a server that takes only TLS, with nothing given: connects, encrypted', async () => {
    const result = await doctor(withDatabase(server.url, 'sslonly'), mirror);
    expect(JSON.parse(result.stdout).databases.source).toMatchObject({
      reachable: true,
      tls: true,
    });
  });

  it('require: TLS, certificate unverified (Heroku Postgres), and no warning', async () => {
    const result = await doctor(withMode(source, 'require'), withMode(mirror, 'require'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect([report.databases.source.tls, report.databases.mirror.tls]).toEqual([true, true]);
  });

  it('PGSSLMODE applies when the URL says nothing', async () => {
    const result = await doctor(source, mirror, { PGSSLMODE: 'require' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).databases.mirror.tls).toBe(true);
  });

  it('the URL wins over PGSSLMODE', async () => {
    const result = await doctor(withMode(source, 'disable'), withMode(mirror, 'disable'), {
      PGSSLMODE: 'require',
    });
    expect(JSON.parse(result.stdout).databases.mirror.tls).toBe(false);
  });

  it('verify-full refuses a self-signed certificate, in one line, exit 3', async () => {
    const result = await doctor(withMode(source, 'verify-full'), withMode(mirror, 'verify-full'));
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.findings.find((f: { code: string }) => f.code === 'unreachable').message).toMatch(
      new RegExp(
        String.raw`^cannot connect to the source database \(127\.0\.0\.1:\d+\/app\): ` +
          'self[- ]signed certificate',
      ),
    );
    expect(result.stderr).toBe('');
  });

  it('prefer falls back to a plain connection where the server has no TLS', async () => {
    const plain = withDatabase(inject('pgAdminUrl'), 'postgres');
    const { code, stdout, stderr } = await runCli(
      [
        'journal',
        '--config',
        FIXTURE_CONFIG,
        '--mirror-url',
        withMode(plain, 'prefer'),
        '--format',
        'json',
      ],
      {},
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout).runs).toEqual([]);
  });

  it('an unknown sslmode is a usage error', async () => {
    const result = await doctor(withMode(source, 'sometimes'), mirror);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'sfsync: sslmode in the database URL is "sometimes"; ' +
        'expected one of disable, allow, prefer, require, verify-ca, verify-full, no-verify\n',
    );
  });
});

async function serverHasTls(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ ssl: string }>('show ssl')).rows[0]!.ssl === 'on';
  } finally {
    await client.end();
  }
}
