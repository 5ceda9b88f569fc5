import type { EntityGraph } from '../core/graph.js';

/** Where a database URL came from, so messages can say what to fix without printing the URL. */
export type UrlOrigin = { kind: 'config' } | { kind: 'flag'; flag: string };

export interface DatabaseTarget {
  /** `source` or `mirror`: how messages name this database. */
  readonly role: 'source' | 'mirror';
  /** As written in config or on the command line; `env:NAME` is resolved only when connecting. */
  readonly url: string | undefined;
  readonly origin: UrlOrigin;
  readonly schema: string;
}

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

export interface Config {
  /** Absolute path of the file it was read from. */
  readonly file: string;
  readonly source: DatabaseTarget;
  readonly mirror: DatabaseTarget;
  /** In declaration order; `graph.order` gives the canonical order. */
  readonly entities: readonly Entity[];
  readonly graph: EntityGraph;
}
