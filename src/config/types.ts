import type { Entity } from '../core/entities/entity.js';
import type { EntityGraph } from '../core/entities/graph.js';
import type { PolicyOverrides } from '../core/connect/error-policy.js';
import type { AttemptSettings } from '../core/repair/attempts.js';

export type {
  Entity,
  FieldMapping,
  FieldSource,
  MirrorMapping,
  ParentLink,
  ReadOnlyEntity,
  SourceMapping,
  WritableEntity,
} from '../core/entities/entity.js';

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

/** A database to connect to, its URL read from wherever the config said (see resolve-url.ts). */
export interface ResolvedTarget {
  readonly role: DatabaseTarget['role'];
  readonly schema: string;
  /** The connection string itself: never print it (describeUrl gives a safe label). */
  readonly url: string;
  /** PGSSLMODE as the environment had it, for a URL that does not say. */
  readonly sslModeFromEnv: string | undefined;
}

export interface Config {
  /** Absolute path of the file it was read from. */
  readonly file: string;
  readonly source: DatabaseTarget;
  readonly mirror: DatabaseTarget;
  /** In declaration order; `graph.order` gives the canonical order. */
  readonly entities: readonly Entity[];
  readonly graph: EntityGraph;
  /**
   * Notes `sfsync init` left (`todo` in the file), by entity; doctor lists them, writing runs
   * refuse while any remain.
   */
  readonly todos: readonly { readonly entity: string | undefined; readonly note: string }[];
  readonly repair: RepairSettings;
}

/** The config's `repair` section and the entities' write caps. */
export interface RepairSettings {
  /** Error code → policy, where the config differs from the taxonomy. */
  readonly policies: PolicyOverrides;
  /** The most rows a run writes over all entities; null: no cap. */
  readonly maxWrites: number | null;
  /** Entity → the most rows a run writes to it. */
  readonly maxWritesPerEntity: ReadonlyMap<string, number>;
  /** How often, and how far apart, a FAILED row is re-sent. */
  readonly attempts: AttemptSettings;
}

/** A config whose databases are resolved: what commands that connect work with. */
export interface RunConfig extends Omit<Config, 'source' | 'mirror'> {
  readonly source: ResolvedTarget;
  readonly mirror: ResolvedTarget;
}
