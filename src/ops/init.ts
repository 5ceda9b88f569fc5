import type { ResolvedTarget } from '../config/types.js';
import {
  inferConfig,
  type ExportedMapping,
  type InferredConfig,
} from '../core/schema/infer-config.js';
import { TRIGGER_LOG_TABLES } from '../core/connect/heroku-connect.js';
import { connect, type SessionTimeouts } from '../db/driver/connect.js';
import { readCatalog } from '../db/catalog/read-catalog.js';
import { readOnlyMappings, readRowCounts, readStructure } from '../db/catalog/read-structure.js';

export interface InitOptions {
  readonly source: ResolvedTarget;
  readonly mirror: ResolvedTarget;
  /** What the written config says for each URL (`env:NAME`): never the URL itself. */
  readonly urlRefs: { readonly source: string; readonly mirror: string };
  readonly tableMap: ReadonlyMap<string, string>;
  readonly exported?: readonly ExportedMapping[] | undefined;
  readonly timeouts?: SessionTimeouts | undefined;
}

/** Reads both databases' structure (read only) and infers a starter config from it. */
export async function inferFromDatabases(options: InitOptions): Promise<InferredConfig> {
  const open = (target: ResolvedTarget) =>
    connect(target, { maxConnections: 1, purpose: 'init', timeouts: options.timeouts });
  const [source, mirror] = await Promise.all([open(options.source), open(options.mirror)]);
  try {
    const [sourceCatalog, structure, mirrorCatalog] = await Promise.all([
      readCatalog(source.db, options.source.schema),
      readStructure(source.db, options.source.schema),
      readCatalog(mirror.db, options.mirror.schema),
    ]);
    const logTables = new Set(TRIGGER_LOG_TABLES.filter((t) => mirrorCatalog.tables.has(t)));
    const [sourceRows, mirrorRows] = await Promise.all([
      readRowCounts(source.db, options.source.schema, [...sourceCatalog.tables.keys()]),
      readRowCounts(
        mirror.db,
        options.mirror.schema,
        [...mirrorCatalog.tables.keys()].filter((t) => !t.startsWith('_')),
      ),
    ]);
    return inferConfig({
      source: {
        schema: options.source.schema,
        url: options.urlRefs.source,
        catalog: sourceCatalog,
        structure,
      },
      mirror: {
        schema: options.mirror.schema,
        url: options.urlRefs.mirror,
        catalog: mirrorCatalog,
        readOnlyTables: await readOnlyMappings(mirror.db, options.mirror.schema, logTables),
      },
      tableMap: options.tableMap,
      exported: options.exported,
      rowCounts: { source: sourceRows, mirror: mirrorRows },
    });
  } finally {
    await Promise.all([source.close(), mirror.close()]);
  }
}
