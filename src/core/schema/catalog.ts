/** What sfsync needs to know about one schema of a database, as plain data. */
export interface ColumnInfo {
  /** The column's type, or a domain's base type (format_type without modifiers). */
  readonly type: string;
  /** Declared length of varchar/char columns, else null. */
  readonly maxLength: number | null;
  /**
   * Digits after the point a value keeps: the declared scale of numeric(p,s), 0 for integer types,
   * else null.
   */
  readonly scale?: number | null;
}

export interface TableInfo {
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  /** Columns that a unique, non-partial index covers on its own. */
  readonly uniqueColumns: ReadonlySet<string>;
  /** Columns that lead a valid, non-partial index (a lookup by them can use it); absent: unread. */
  readonly indexedColumns?: ReadonlySet<string>;
  readonly triggers: ReadonlySet<string>;
}

export interface SchemaCatalog {
  readonly serverVersion: string;
  readonly schema: string;
  readonly schemaExists: boolean;
  readonly tables: ReadonlyMap<string, TableInfo>;
  /** Functions found in the schema or in `public` (Connect puts get_xmlbinary there). */
  readonly functions: ReadonlySet<string>;
  /**
   * `get_xmlbinary()` as this session sees it; undefined when the function is absent or may not be
   * executed.
   */
  readonly xmlbinary: string | undefined;
  /** get_xmlbinary() exists but this role may not execute it. */
  readonly xmlbinaryDenied?: boolean;
  /** The role the session runs as (current_user), for naming grants. */
  readonly role?: string;
  /** Whether the session is encrypted (pg_stat_ssl). */
  readonly tls?: boolean;
}
