import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/load.js';
import { resolveConfig } from '../../config/resolve-url.js';
import type { RunConfig } from '../../config/types.js';
import { connect } from '../../db/driver/connect.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/server/embedded-postgres.js';
import { createDatabases, withDatabase } from '../../db/server/create-databases.js';
import { runSqlFile } from '../../db/driver/run-sql-file.js';
import {
  writeLikeTheApp,
  writeUpstreamContacts,
  type AppWriteStats,
} from '../../sim/app-writer.js';
import {
  DEFAULT_DEMO_SIZE,
  generateSourceData,
  type DemoPeople,
  type DemoSize,
} from '../../sim/demo-data.js';
import { ConnectSimulator } from '../../sim/simulator.js';

export const DEMO_FIXTURES = fileURLToPath(
  new URL('../../../fixtures/editor-api/', import.meta.url),
);

export interface DemoEnvironment {
  readonly server: EmbeddedPostgres;
  readonly sourceUrl: string;
  readonly mirrorUrl: string;
  readonly config: RunConfig;
  readonly people: DemoPeople;
  readonly app: AppWriteStats;
  /** Trigger-log entries Connect processed in the first sync, and how many failed. */
  readonly firstSync: { processed: number; failed: number };
}

export interface DemoOptions {
  readonly seed: number;
  readonly size?: DemoSize;
  /** Leave the server running when the process exits. */
  readonly keep: boolean;
  readonly onStep?: (text: string) => void;
}

/**
 * The world the demo runs in: a throwaway PostgreSQL, the editor-api source
 * and mirror databases, a realistic data set written the way the app's jobs
 * write it, and one pass of (simulated) Heroku Connect, which leaves the
 * parent/child race's FAILED rows behind.
 */
export async function prepareDemo(options: DemoOptions): Promise<DemoEnvironment> {
  options.onStep?.('starting a throwaway PostgreSQL');
  const server = await startEmbeddedPostgres({ detached: options.keep });
  try {
    await createDatabases(server.url, ['app', 'connect']);
    const sourceUrl = withDatabase(server.url, 'app');
    const mirrorUrl = withDatabase(server.url, 'connect');
    options.onStep?.('loading the editor-api schema and its Heroku Connect mirror');
    await runSqlFile(sourceUrl, `${DEMO_FIXTURES}source.sql`);
    await runSqlFile(mirrorUrl, `${DEMO_FIXTURES}../connect/runtime.sql`);
    await runSqlFile(mirrorUrl, `${DEMO_FIXTURES}mirror.sql`);
    const loaded = resolveConfig(
      loadConfig({ configPath: `${DEMO_FIXTURES}sfsync.config.json`, sourceUrl, mirrorUrl }),
      {},
    );
    // The demo plays a night of syncs in seconds: a row Connect fails again is re-sent in the
    // next round, not an hour later.
    const { attempts } = loaded.repair;
    const config = {
      ...loaded,
      repair: { ...loaded.repair, attempts: { ...attempts, backoffMs: [0] } },
    };

    const source = await connect(config.source);
    const mirror = await connect(config.mirror);
    const connectSession = await connect(config.mirror, { sessionOptions: '-c xmlbinary=hex' });
    try {
      options.onStep?.('generating schools, staff, classes and lessons');
      const people = await generateSourceData(
        source.db,
        options.size ?? DEFAULT_DEMO_SIZE,
        options.seed,
      );
      const contact = config.entities.find((e) => e.name === 'contact')!;
      await writeUpstreamContacts(
        connectSession,
        contact.mirror.table,
        contact.mirror.externalId,
        people.upstream,
      );
      options.onStep?.("writing the mirror the way the app's independent jobs do");
      const app = await writeLikeTheApp(config, source, mirror, options.seed);
      options.onStep?.('Heroku Connect (simulated) sends the changes to Salesforce');
      const sim = await ConnectSimulator.open(config, config.mirror, {
        failRate: 0,
        seed: options.seed,
        latencyMs: 0,
        batchSize: 500,
      });
      const processed = await sim.drain();
      await sim.close();
      return {
        server,
        sourceUrl,
        mirrorUrl,
        config,
        people,
        app,
        firstSync: { processed, failed: sim.stats.failed },
      };
    } finally {
      await Promise.all([source.close(), mirror.close(), connectSession.close()]);
    }
  } catch (error) {
    if (!options.keep) await server.stop();
    throw error;
  }
}
