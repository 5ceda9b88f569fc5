import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { createDatabases, withDatabase } from '../../src/db/create-databases.js';
import { runSqlFile } from '../../src/db/run-sql-file.js';
import { runCli } from '../support/cli.js';
import { FIXTURE_CONFIG, FIXTURE_DIR } from '../support/paths.js';

/**
 * A second server that speaks TLS with a self-signed certificate, as Heroku
 * Postgres does: `sslmode=require` must connect (encrypting, not verifying),
 * `verify-full` must refuse it, and node-postgres's multi-line warning about
 * sslmode must never reach the user.
 */
let server: EmbeddedPostgres;
let certDir: string;
let source: string;
let mirror: string;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'sfsync-tls-'));
  const key = join(certDir, 'server.key');
  const cert = join(certDir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sfsync-test', '-keyout', key, '-out', cert], {
    stdio: 'pipe',
  });
  chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    // The server runs as the postgres OS user when we are root, and insists on owning its key.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
    for (const file of [certDir, key, cert]) chownSync(file, id('-u'), id('-g'));
  }
  server = await startEmbeddedPostgres({ settings: { ssl: 'on', ssl_cert_file: cert, ssl_key_file: key } });
  await createDatabases(server.url, ['app', 'connect']);
  source = withDatabase(server.url, 'app');
  mirror = withDatabase(server.url, 'connect');
  await runSqlFile(source, `${FIXTURE_DIR}/source.sql`);
  await runSqlFile(mirror, `${FIXTURE_DIR}/mirror.sql`);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

const doctor = (sourceUrl: string, mirrorUrl: string, env: NodeJS.ProcessEnv = {}) =>
  runCli(['doctor', '--config', FIXTURE_CONFIG, '--source-url', sourceUrl, '--mirror-url', mirrorUrl, '--format', 'json'], { env });
const withMode = (url: string, mode: string) => `${url}?sslmode=${mode}`;

describe('sslmode, as libpq means it', () => {
  it('require: encrypts without verifying the certificate (Heroku Postgres), and prints no warning', async () => {
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
    const result = await doctor(withMode(source, 'disable'), withMode(mirror, 'disable'), { PGSSLMODE: 'require' });
    expect(JSON.parse(result.stdout).databases.mirror.tls).toBe(false);
  });

  it('verify-full refuses a self-signed certificate, in one line, exit 3', async () => {
    const result = await doctor(withMode(source, 'verify-full'), withMode(mirror, 'verify-full'));
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.findings.find((f: { code: string }) => f.code === 'unreachable').message).toMatch(
      /^cannot connect to the source database \(127\.0\.0\.1:\d+\/app\): self[- ]signed certificate/,
    );
    expect(result.stderr).toBe('');
  });

  it('prefer falls back to a plain connection where the server has no TLS', async () => {
    const plain = withDatabase(inject('pgAdminUrl'), 'postgres');
    const { code, stdout, stderr } = await runCli(['journal', '--config', FIXTURE_CONFIG, '--mirror-url', withMode(plain, 'prefer'), '--format', 'json'], {});
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout).runs).toEqual([]);
  });

  it('an unknown sslmode is a usage error', async () => {
    const result = await doctor(withMode(source, 'sometimes'), mirror);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'sfsync: sslmode in the database URL is "sometimes"; expected one of disable, allow, prefer, require, verify-ca, verify-full, no-verify\n',
    );
  });
});
