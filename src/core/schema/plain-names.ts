import type { SchemaCatalog, TableInfo } from './catalog.js';
import { isPlainIdentifier } from '../identifier.js';
import type { SchemaStructure } from './infer-config.js';

/** Names a schema has that a config cannot hold: whole tables, and columns of the tables kept. */
export interface LeftOut {
  readonly tables: readonly string[];
  /** Table → its columns left out. */
  readonly columns: ReadonlyMap<string, readonly string[]>;
}

/**
 * The part of a catalog a config can name: tables and columns whose names
 * are plain identifiers. `sfsync init` infers from this alone, so nothing it
 * writes fails to load; what was left out it reports as todo notes.
 */
export function plainCatalog(catalog: SchemaCatalog): { catalog: SchemaCatalog; leftOut: LeftOut } {
  const tables = new Map<string, TableInfo>();
  const leftOutTables: string[] = [];
  const leftOutColumns = new Map<string, string[]>();
  for (const [name, table] of catalog.tables) {
    if (!isPlainIdentifier(name)) {
      leftOutTables.push(name);
      continue;
    }
    const odd = [...table.columns.keys()].filter((column) => !isPlainIdentifier(column));
    if (odd.length === 0) {
      tables.set(name, table);
      continue;
    }
    leftOutColumns.set(name, odd);
    tables.set(name, {
      columns: new Map([...table.columns].filter(([column]) => isPlainIdentifier(column))),
      uniqueColumns: new Set([...table.uniqueColumns].filter(isPlainIdentifier)),
      triggers: table.triggers,
    });
  }
  return {
    catalog: { ...catalog, tables },
    leftOut: { tables: leftOutTables, columns: leftOutColumns },
  };
}

/** Keys among the names a config can hold: a key over a name left out cannot be named either. */
export function plainStructure(structure: SchemaStructure): SchemaStructure {
  const plain = (names: readonly string[]) => names.every(isPlainIdentifier);
  return {
    primaryKeys: new Map(
      [...structure.primaryKeys].filter(([table, columns]) => plain([table, ...columns])),
    ),
    foreignKeys: structure.foreignKeys.filter((fk) =>
      plain([fk.table, fk.column, fk.refTable, fk.refColumn]),
    ),
    nullableColumns: new Map(
      [...structure.nullableColumns]
        .filter(([table]) => isPlainIdentifier(table))
        .map(([table, columns]) => [table, new Set([...columns].filter(isPlainIdentifier))]),
    ),
  };
}
