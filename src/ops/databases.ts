import type { Entity, RunConfig, WritableEntity } from '../config/types.js';
import type { SchemaCatalog } from '../core/schema/catalog.js';
import {
  connect,
  type Connection,
  type QueryObserver,
  type SessionTimeouts,
} from '../db/driver/connect.js';
import { readCatalog } from '../db/catalog/read-catalog.js';
import {
  entityTablesOf,
  mirrorTableOf,
  type EntityTables,
  type MirrorTable,
} from '../db/entity-tables.js';

/** Both databases of a run, each one pool with its catalog read once. */
export interface Databases {
  readonly source: Connection;
  readonly mirror: Connection;
  readonly sourceCatalog: SchemaCatalog;
  readonly mirrorCatalog: SchemaCatalog;
  /** Every entity's tables in them, built once for the run's audits and writes. */
  readonly tables: RunTables;
  close(): Promise<void>;
}

/** Entities' tables by entity name. */
export interface RunTables {
  /** Every entity's: parents, read-only ones too, are looked up in the mirror. */
  readonly mirrors: ReadonlyMap<string, MirrorTable>;
  readonly writable: ReadonlyMap<string, EntityTables>;
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
  // Both at once: over TLS to a hosted database a connection takes a round trip or three.
  const opening = await Promise.allSettled([
    connect(config.source, pool(options.purposes.source)),
    connect(config.mirror, pool(options.purposes.mirror)),
  ]);
  const opened = opening.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const closeAll = async () => void (await Promise.all(opened.map((c) => c.close())));
  // The source's failure first, as when the source was opened first.
  const failed = opening.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    await closeAll();
    throw failed.reason;
  }
  const [source, mirror] = opened as [Connection, Connection];
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
      tables: runTables(config.entities, { source: source.schema, mirror: mirror.schema }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function runTables(
  entities: readonly Entity[],
  schemas: { readonly source: string; readonly mirror: string },
): RunTables {
  const writable = new Map(
    entities
      .filter((e): e is WritableEntity => !e.readOnly)
      .map((e) => [e.name, entityTablesOf(schemas, e)]),
  );
  const mirrors = new Map(
    entities.map((e) => [e.name, writable.get(e.name)?.mirror ?? mirrorTableOf(schemas.mirror, e)]),
  );
  return { mirrors, writable };
}
