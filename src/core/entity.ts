/**
 * The entities sfsync works on, as the config describes them once validated:
 * plain data the pure core reasons about (config/ compiles the file into these).
 */
export type FieldSource = { kind: 'column'; column: string } | { kind: 'sql'; sql: string };

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
  /** The parent is a read-only entity: Connect fills it from Salesforce, sfsync can never write it. */
  readonly readOnly: boolean;
}

export interface MirrorMapping {
  readonly table: string;
  readonly externalId: string;
}

export interface SourceMapping {
  readonly table: string;
  readonly key: string;
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
