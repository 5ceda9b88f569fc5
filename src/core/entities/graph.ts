import { maxOf } from '../arrays.js';

export interface GraphNode {
  name: string;
  parents: readonly string[];
}

export interface EntityGraph {
  /** Parents before children; among entities that are ready at the same time, declaration order. */
  readonly order: readonly string[];
  /** Level 0 holds entities with no parents; an entity sits one level below its deepest parent. */
  readonly levels: readonly (readonly string[])[];
  readonly levelOf: ReadonlyMap<string, number>;
  readonly parentsOf: ReadonlyMap<string, readonly string[]>;
}

export type GraphResult = { ok: true; graph: EntityGraph } | { ok: false; cycle: string[] };

/**
 * Topological sort (Kahn's algorithm, always taking the earliest-declared ready
 * entity) so the order is stable and predictable from the config file alone.
 * Every parent must name a node; config validation guarantees that.
 */
export function buildEntityGraph(nodes: readonly GraphNode[]): GraphResult {
  const index = new Map(nodes.map((node, i) => [node.name, i]));
  const parentsOf = new Map(nodes.map((node) => [node.name, [...new Set(node.parents)]]));
  for (const [name, parents] of parentsOf) {
    const unknown = parents.find((parent) => !index.has(parent));
    if (unknown !== undefined) throw new Error(`entity ${name} names unknown parent ${unknown}`);
  }

  const waitingOn = new Map([...parentsOf].map(([name, parents]) => [name, parents.length]));
  // A non-entity child is never read (it only gets a waiting count of its own).
  // Stryker disable next-line ArrayDeclaration: equivalent, see above
  const childrenOf = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  for (const [name, parents] of parentsOf)
    for (const parent of parents) childrenOf.get(parent)!.push(name);

  const ready = nodes.filter((node) => waitingOn.get(node.name) === 0).map((node) => node.name);
  const order: string[] = [];
  const levelOf = new Map<string, number>();
  while (ready.length > 0) {
    ready.sort((a, b) => index.get(a)! - index.get(b)!);
    const name = ready.shift()!;
    order.push(name);
    const parentLevels = parentsOf.get(name)!.map((parent) => levelOf.get(parent)!);
    levelOf.set(name, parentLevels.length === 0 ? 0 : maxOf(parentLevels, 0) + 1);
    for (const child of childrenOf.get(name)!) {
      const remaining = waitingOn.get(child)! - 1;
      waitingOn.set(child, remaining);
      if (remaining === 0) ready.push(child);
    }
  }

  if (order.length < nodes.length) {
    return {
      ok: false,
      cycle: findCycle(
        nodes.filter((node) => !levelOf.has(node.name)),
        parentsOf,
      ),
    };
  }
  const levels: string[][] = [];
  for (const name of order) {
    const level = levelOf.get(name)!;
    levels[level] = [...(levels[level] ?? []), name];
  }
  return { ok: true, graph: { order, levels, levelOf, parentsOf } };
}

/** A cycle among the entities Kahn's algorithm could not place, as a closed path: a → b → a. */
function findCycle(
  stuck: readonly GraphNode[],
  parentsOf: ReadonlyMap<string, readonly string[]>,
): string[] {
  const stuckNames = new Set(stuck.map((node) => node.name));
  // Every unplaced entity waits on an unplaced parent, so following the first one
  // from any unplaced entity must come back to an entity already on the path.
  const path = [stuck[0]!.name];
  for (;;) {
    const parent = parentsOf.get(path.at(-1)!)!.find((name) => stuckNames.has(name))!;
    const at = path.indexOf(parent);
    // The walk follows child → parent edges; print the cycle parent-first, as data flows.
    if (at >= 0) return [...path.slice(at), parent].reverse();
    path.push(parent);
  }
}

/** The named entities plus every ancestor they need, in canonical order. */
export function withAncestors(graph: EntityGraph, names: Iterable<string>): string[] {
  const wanted = new Set<string>();
  const add = (name: string): void => {
    // The graph is acyclic, so walking an ancestor again adds no name.
    // Stryker disable next-line ConditionalExpression: equivalent, see above
    if (wanted.has(name)) return;
    wanted.add(name);
    // The filter drops a non-entity (a stand-in parent of an unknown name is in no order).
    // Stryker disable next-line ArrayDeclaration: equivalent, see above
    for (const parent of graph.parentsOf.get(name) ?? []) add(parent);
  };
  for (const name of names) add(name);
  return graph.order.filter((name) => wanted.has(name));
}

/** A node with its lookups: which parent entity each lookup column points at. */
export interface LookupNode {
  readonly name: string;
  readonly lookups: readonly { readonly entity: string; readonly lookup: string }[];
}

/** How a deferred lookup is named in the set orderWithDeferredLookups returns. */
export function lookupKey(entity: string, lookup: string): string {
  return `${entity}\u0000${lookup}`;
}

/**
 * The canonical order when lookups may point at their own entity or form
 * cycles: the lookups that must be written in a second phase (as lookupKey),
 * and the graph the others make. Deferred are every self-lookup, and for each
 * cycle of parents, the lookups from the cycle's earliest-declared entity to
 * its parent in the cycle — so that entity is written first, as its
 * declaration suggests, and its lookup is set once the parent it points at has an sfid.
 */
export function orderWithDeferredLookups(nodes: readonly LookupNode[]): {
  graph: EntityGraph;
  deferred: Set<string>;
} {
  // A self-lookup is a one-entity cycle: the loop defers it as it defers any other.
  const deferred = new Set<string>();
  for (;;) {
    const result = buildEntityGraph(
      nodes.map((node) => ({
        name: node.name,
        parents: node.lookups
          .filter((l) => !deferred.has(lookupKey(node.name, l.lookup)))
          .map((l) => l.entity),
      })),
    );
    if (result.ok) return { graph: result.graph, deferred };
    const { cycle } = result;
    const node = nodes.find((candidate) => cycle.includes(candidate.name))!;
    // The cycle is closed and parent-first (p → c → … → p): each entity's parent in the
    // cycle is the one before it.
    const parent = cycle[cycle.indexOf(node.name, 1) - 1]!;
    for (const link of node.lookups) {
      if (link.entity === parent) deferred.add(lookupKey(node.name, link.lookup));
    }
  }
}
