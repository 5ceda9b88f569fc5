/**
 * The entities sfsync works on, as the config describes them once validated:
 * plain data the pure core reasons about (config/ compiles the file into these).
 */
export type FieldSource = { kind: 'column'; column: string } | { kind: 'sql'; sql: string };

/**
 * What makes a source row's external ID, compared as text, case-sensitively:
 * a column (uuid, text, integer, bigint…: its text form), several columns
 * joined by a separator, or a trusted SQL expression over `src`.
 */
export type KeySource =
  | { readonly kind: 'column'; readonly column: string }
  | { readonly kind: 'columns'; readonly columns: readonly string[]; readonly separator: string }
  | { readonly kind: 'sql'; readonly sql: string };

/** The source columns a key reads (none for an SQL expression: doctor compiles it instead). */
export function keyColumns(key: KeySource): readonly string[] {
  return key.kind === 'column' ? [key.column] : key.kind === 'columns' ? key.columns : [];
}

export interface FieldMapping {
  readonly mirrorColumn: string;
  readonly source: FieldSource;
}

export interface ParentLink {
  readonly entity: string;
  /** Source column holding the parent's key. */
  readonly column: string;
  /** Child mirror column holding the parent's external ID (`<rel>__r__<ext_id>`). */
  readonly lookup: string;
  readonly optional: boolean;
  /**
   * The parent is a read-only entity: Connect fills it from Salesforce, sfsync can never write it.
   */
  readonly readOnly: boolean;
  /**
   * Written in a second phase: a self-lookup (an account's parent account) or
   * the lookup that closes a cycle of parents. The row is inserted without it
   * and the lookup set by an update once the parent has an sfid.
   */
  readonly deferred: boolean;
}

export interface MirrorMapping {
  readonly table: string;
  readonly externalId: string;
}

export interface SourceMapping {
  readonly table: string;
  readonly key: KeySource;
  /** Trusted SQL filter over the source table aliased `src`. */
  readonly where: string | undefined;
}

interface EntityBase {
  readonly name: string;
  readonly mirror: MirrorMapping;
}

export interface WritableEntity extends EntityBase {
  readonly readOnly: false;
  readonly source: SourceMapping;
  readonly fields: readonly FieldMapping[];
  readonly parents: readonly ParentLink[];
}

/** Filled by Connect from upstream; sfsync only reads it, as a parent of other entities. */
export interface ReadOnlyEntity extends EntityBase {
  readonly readOnly: true;
  readonly source: undefined;
  readonly fields: readonly [];
  readonly parents: readonly [];
}

export type Entity = WritableEntity | ReadOnlyEntity;
