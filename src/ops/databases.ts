import type { RunConfig } from '../config/types.js';
import type { SchemaCatalog } from '../core/schema/catalog.js';
import {
  connect,
  type Connection,
  type QueryObserver,
  type SessionTimeouts,
} from '../db/driver/connect.js';
import { readCatalog } from '../db/catalog/read-catalog.js';

/** Both databases of a run, each one pool with its catalog read once. */
export interface Databases {
  readonly source: Connection;
  readonly mirror: Connection;
  readonly sourceCatalog: SchemaCatalog;
  readonly mirrorCatalog: SchemaCatalog;
  close(): Promise<void>;
}

export interface PoolOptions {
  readonly maxConnections: number;
  /** What the pools are for, as pg_stat_activity shows them (`sfsync/<database>/<purpose>`). */
  readonly purposes: { readonly source: string; readonly mirror: string };
  readonly timeouts?: SessionTimeouts | undefined;
  readonly onQuery?: QueryObserver | undefined;
}

/**
 * Opens one pool per database for the whole command; a repair audits and writes through the same
 * ones.
 */
export async function openDatabases(config: RunConfig, options: PoolOptions): Promise<Databases> {
  const pool = (purpose: string) => ({
    maxConnections: options.maxConnections,
    purpose,
    timeouts: options.timeouts,
    onQuery: options.onQuery,
  });
  const source = await connect(config.source, pool(options.purposes.source));
  try {
    const mirror = await connect(config.mirror, pool(options.purposes.mirror));
    try {
      const [sourceCatalog, mirrorCatalog] = await Promise.all([
        readCatalog(source.db, source.schema),
        readCatalog(mirror.db, mirror.schema),
      ]);
      return {
        source,
        mirror,
        sourceCatalog,
        mirrorCatalog,
        close: async () => void (await Promise.all([source.close(), mirror.close()])),
      };
    } catch (error) {
      await mirror.close();
      throw error;
    }
  } catch (error) {
    await source.close();
    throw error;
  }
}
