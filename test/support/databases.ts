import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';

export interface FixtureDatabases {
  sourceUrl: string;
  mirrorUrl: string;
  /** Run SQL on the source database as the app would. */
  source(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Run SQL on the mirror database in a client session (xmlbinary base64: captured by Connect). */
  mirror(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Run SQL on the mirror database as Heroku Connect does (xmlbinary hex: not captured). */
  asConnect(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /**
   * Replace both databases with fresh copies of the fixtures (same names and URLs), for a test that
   * needs a clean start.
   */
  reset(): Promise<void>;
}

/**
 * Fresh copies of the fixture databases for this test file, dropped afterwards.
 * Call at the top level of a test file; use the returned object inside tests.
 */
export function useFixtureDatabases(): FixtureDatabases {
  let close = async (): Promise<void> => undefined;
  const names: string[] = [];
  const state = {} as FixtureDatabases;

  const dropAll = async () => {
    await close();
    close = async () => undefined;
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };

  const createAll = async () => {
    const adminUrl = inject('pgAdminUrl');
    const templates = inject('fixtureTemplates');
    for (const [i, template] of Object.values(templates).entries())
      await createDatabases(adminUrl, [names[i]!], template);
    const opened = await openDatabases(state.sourceUrl, state.mirrorUrl);
    close = opened.close;
    Object.assign(state, {
      source: opened.source,
      mirror: opened.mirror,
      asConnect: opened.asConnect,
    });
  };

  beforeAll(async () => {
    const adminUrl = inject('pgAdminUrl');
    const suffix = randomBytes(4).toString('hex');
    for (const role of Object.keys(inject('fixtureTemplates')))
      names.push(`sfsync_test_${role}_${suffix}`);
    state.sourceUrl = withDatabase(adminUrl, names[0]!);
    state.mirrorUrl = withDatabase(adminUrl, names[1]!);
    state.reset = async () => {
      await dropAll();
      await createAll();
    };
    await createAll();
  });

  afterAll(dropAll);

  return state;
}

/** Query functions on two databases, as the app, as a client of the mirror, and as Connect. */
export async function openDatabases(
  sourceUrl: string,
  mirrorUrl: string,
): Promise<FixtureDatabases & { close(): Promise<void> }> {
  const open = async (url: string, xmlbinary?: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    if (xmlbinary) await client.query(`SET xmlbinary = ${xmlbinary}`);
    return client;
  };
  const [source, mirror, connect] = await Promise.all([
    open(sourceUrl),
    open(mirrorUrl),
    open(mirrorUrl, 'hex'),
  ]);
  return {
    sourceUrl,
    mirrorUrl,
    source: (text, values) => source.query(text, values),
    mirror: (text, values) => mirror.query(text, values),
    asConnect: (text, values) => connect.query(text, values),
    reset: () => Promise.reject(new Error('not resettable')),
    close: async () => {
      await Promise.all([source.end(), mirror.end(), connect.end()]);
    },
  };
}
