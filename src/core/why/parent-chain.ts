import type { Entity, ParentLink } from '../entities/entity.js';
import type { ParentReadiness, ParentState } from '../audit/types.js';

/**
 * How far up `why` follows parents. Entity graphs are shallow (a lesson → class → school →
 * account is four); the bound keeps a config with a long chain from reading without end.
 */
export const MAX_CHAIN_DEPTH = 8;

/** A mirror row of a parent, as far as readiness goes. */
export interface ParentRow {
  readonly id: number;
  readonly sfid: string | null;
  readonly lastop: string | null;
}

/** What the databases hold for one (entity, key) met on the way up. */
export interface ParentRecord {
  readonly rows: readonly ParentRow[];
  /**
   * Its own parents' keys by lookup column: from its source row, else from its mirror row's
   * lookup columns; null when neither holds it (or it is read-only, with no parents).
   */
  readonly parentKeys: Readonly<Record<string, string | null>> | null;
}

/** One parent link of a record, resolved, with the parent's own links. */
export interface ChainLink {
  readonly entity: string;
  /** The child's source column holding the parent's key. */
  readonly column: string;
  /** The child's mirror column holding the parent's external ID. */
  readonly lookup: string;
  readonly optional: boolean;
  readonly deferred: boolean;
  /** null when the child names no parent (the column is NULL, or the child has no row). */
  readonly key: string | null;
  /** absent as well when `key` is null. */
  readonly state: ParentState;
  /** The parent's mirror row (the one with an sfid, if any). */
  readonly mirrorId: number | null;
  readonly sfid: string | null;
  readonly lastop: string | null;
  /** Whether this link holds an insert of the child back, as classification decides it. */
  readonly blocks: boolean;
  readonly parents: readonly ChainLink[];
  /**
   * Why the parent's own links are not followed: `cycle` (it is already on this path), `depth`
   * (past MAX_CHAIN_DEPTH); null when they are (or it has none).
   */
  readonly cut: 'cycle' | 'depth' | null;
}

/** The identity of a record on the way up. */
export const recordId = (entity: string, key: string): string => `${entity}\u0000${key}`;

/**
 * The parent records an entity's links name, given the child's parent keys (null: unknown).
 * Links whose key is NULL name none.
 */
export function namedParents(
  entity: Entity,
  parentKeys: Readonly<Record<string, string | null>> | null,
): { readonly link: ParentLink; readonly key: string | null }[] {
  return entity.parents.map((link) => ({ link, key: parentKeys?.[link.lookup] ?? null }));
}

/**
 * As the audit reads a parent's readiness (db/audit/read-mirror.ts readReadiness): ready when a
 * row with the key has an sfid, failed when one FAILED, unsynced otherwise, absent with no row.
 */
export function readinessOf(rows: readonly ParentRow[]): ParentState {
  if (rows.length === 0) return 'absent';
  if (rows.some((row) => row.sfid !== null)) return 'ready';
  return rows.some((row) => row.lastop === 'FAILED') ? 'failed' : 'unsynced';
}

/** As classification's blockingParent: a link that is not deferred and not ready. */
function blocks(link: ParentLink, key: string | null, state: ParentState): boolean {
  if (link.deferred) return false;
  if (key === null) return !link.optional;
  return state !== 'ready';
}

/**
 * The parent links of a record (`entity`, `key`) with these parent keys, each resolved from
 * `records` and followed up to the roots: a record already on the path (the record itself
 * included) is not followed again (a cycle of lookups), nor one past `maxDepth`.
 */
export function buildParentChain(
  entity: Entity,
  key: string,
  parentKeys: Readonly<Record<string, string | null>> | null,
  entities: ReadonlyMap<string, Entity>,
  records: ReadonlyMap<string, ParentRecord>,
  maxDepth = MAX_CHAIN_DEPTH,
): ChainLink[] {
  const follow = (
    from: Entity,
    keys: Readonly<Record<string, string | null>> | null,
    path: ReadonlySet<string>,
    depth: number,
  ): ChainLink[] =>
    namedParents(from, keys).map(({ link, key }) => {
      const record = key === null ? undefined : records.get(recordId(link.entity, key));
      const rows = record?.rows ?? [];
      const state = readinessOf(rows);
      const shown = rows.find((row) => row.sfid !== null) ?? rows[0];
      const parent = entities.get(link.entity);
      const id = key === null ? null : recordId(link.entity, key);
      const hasParents = parent !== undefined && parent.parents.length > 0 && record !== undefined;
      const cut =
        !hasParents || id === null
          ? null
          : path.has(id)
            ? 'cycle'
            : depth >= maxDepth
              ? 'depth'
              : null;
      return {
        entity: link.entity,
        column: link.column,
        lookup: link.lookup,
        optional: link.optional,
        deferred: link.deferred,
        key,
        state,
        mirrorId: shown?.id ?? null,
        sfid: shown?.sfid ?? null,
        lastop: shown?.lastop ?? null,
        blocks: blocks(link, key, state),
        parents:
          hasParents && cut === null
            ? follow(parent, record.parentKeys, new Set([...path, id!]), depth + 1)
            : [],
        cut,
      };
    });
  return follow(entity, parentKeys, new Set([recordId(entity.name, key)]), 1);
}

/**
 * The blocking links from the record up to where the trouble starts: the first blocking link at
 * each level, until a parent none of whose own links blocks. Empty when nothing blocks.
 */
export function blockingPath(links: readonly ChainLink[]): ChainLink[] {
  const path: ChainLink[] = [];
  let level = links;
  for (;;) {
    const link = level.find((l) => l.blocks);
    if (!link) return path;
    path.push(link);
    level = link.parents;
  }
}

/**
 * The readiness of the parents the record's own links name, by parent entity, as classification
 * takes it (absent keys left out).
 */
export function parentStates(
  links: readonly ChainLink[],
): Map<string, ReadonlyMap<string, ParentReadiness>> {
  const states = new Map<string, Map<string, ParentReadiness>>();
  for (const link of links) {
    if (link.key === null || link.state === 'absent') continue;
    const byKey = states.get(link.entity) ?? new Map<string, ParentReadiness>();
    states.set(link.entity, byKey);
    byKey.set(link.key, link.state);
  }
  return states;
}
