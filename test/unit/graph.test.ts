import { describe, expect, it } from 'vitest';
import {
  buildEntityGraph,
  orderWithDeferredLookups,
  withAncestors,
  type GraphNode,
} from '../../src/core/entities/graph.js';

const node = (name: string, ...parents: string[]): GraphNode => ({ name, parents });

function graphOf(nodes: GraphNode[]) {
  const result = buildEntityGraph(nodes);
  if (!result.ok) throw new Error(`unexpected cycle ${result.cycle.join(' → ')}`);
  return result.graph;
}

describe('buildEntityGraph', () => {
  it('puts parents before children even when declared after them', () => {
    const graph = graphOf([node('lesson', 'class'), node('class', 'school'), node('school')]);
    expect(graph.order).toEqual(['school', 'class', 'lesson']);
    expect(graph.levels).toEqual([['school'], ['class'], ['lesson']]);
  });

  it('keeps declaration order among entities that are ready together', () => {
    const graph = graphOf([node('b'), node('a'), node('c', 'a'), node('d', 'b')]);
    expect(graph.order).toEqual(['b', 'a', 'c', 'd']);
    expect(graph.levels).toEqual([
      ['b', 'a'],
      ['c', 'd'],
    ]);
  });

  it('places an entity one level below its deepest parent', () => {
    const graph = graphOf([
      node('root'),
      node('mid', 'root'),
      node('leaf', 'root', 'mid'),
      node('other'),
    ]);
    expect(graph.levelOf.get('leaf')).toBe(2);
    expect(graph.levels).toEqual([['root', 'other'], ['mid'], ['leaf']]);
  });

  it('orders the editor-api entities as the app backfills them', () => {
    const graph = graphOf([
      node('school'),
      node('contact'),
      node('role', 'school', 'contact'),
      node('school_class', 'school'),
      node('class_teacher', 'school_class', 'contact'),
      node('lesson', 'school_class'),
    ]);
    expect(graph.order).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    expect(graph.levels).toEqual([
      ['school', 'contact'],
      ['role', 'school_class'],
      ['class_teacher', 'lesson'],
    ]);
  });

  it('treats a parent named twice as one dependency', () => {
    const graph = graphOf([node('a'), node('b', 'a', 'a')]);
    expect(graph.parentsOf.get('b')).toEqual(['a']);
    expect(graph.levelOf.get('b')).toBe(1);
  });

  it('reports a cycle as a closed path, parent first', () => {
    const result = buildEntityGraph([
      node('ok'),
      node('a', 'c'),
      node('b', 'a'),
      node('c', 'b'),
      node('tail', 'c'),
    ]);
    expect(result).toEqual({ ok: false, cycle: ['a', 'b', 'c', 'a'] });
  });

  it('reports a two-entity cycle', () => {
    const result = buildEntityGraph([node('x', 'y'), node('y', 'x')]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.cycle).toEqual(['x', 'y', 'x']);
  });

  it('reports the cycle itself, not the entities waiting below it', () => {
    // tail is the first entity that cannot be placed, but it only waits on the cycle.
    const result = buildEntityGraph([
      node('tail', 'c'),
      node('a', 'c'),
      node('b', 'a'),
      node('c', 'b'),
    ]);
    expect(result).toEqual({ ok: false, cycle: ['c', 'a', 'b', 'c'] });
  });

  it('reports a cycle through an entity whose other parents are placed', () => {
    const result = buildEntityGraph([node('root'), node('a', 'root', 'b'), node('b', 'a')]);
    expect(result).toEqual({ ok: false, cycle: ['a', 'b', 'a'] });
  });

  it('reports an entity that is its own parent as a one-entity cycle', () => {
    expect(buildEntityGraph([node('root'), node('self', 'root', 'self')])).toEqual({
      ok: false,
      cycle: ['self', 'self'],
    });
  });

  it('refuses a parent that names no entity (config validation must catch it first)', () => {
    expect(() => buildEntityGraph([node('a', 'ghost')])).toThrow(/unknown parent ghost/);
  });
});

describe('withAncestors', () => {
  it('adds every ancestor and keeps canonical order', () => {
    const graph = graphOf([
      node('school'),
      node('contact'),
      node('class', 'school'),
      node('teacher', 'class', 'contact'),
      node('role', 'school'),
    ]);
    expect(withAncestors(graph, ['teacher'])).toEqual(['school', 'contact', 'class', 'teacher']);
    expect(withAncestors(graph, ['role', 'school'])).toEqual(['school', 'role']);
  });
});

describe('orderWithDeferredLookups', () => {
  const deferredLookups = (nodes: Parameters<typeof orderWithDeferredLookups>[0]) =>
    orderWithDeferredLookups(nodes).deferred;

  const lookups = (name: string, ...parents: string[]) => ({
    name,
    lookups: parents.map((entity) => ({ entity, lookup: `${entity}__r__x` })),
  });

  it('defers every self-lookup and nothing in a tree', () => {
    expect([
      ...deferredLookups([lookups('account', 'account'), lookups('contact', 'account')]),
    ]).toEqual(['account\u0000account__r__x']);
  });

  it("breaks each cycle at its earliest-declared entity's lookup into the cycle", () => {
    expect([...deferredLookups([lookups('a', 'b'), lookups('b', 'a')])]).toEqual([
      'a\u0000b__r__x',
    ]);
    expect([...deferredLookups([lookups('b', 'a'), lookups('a', 'b')])]).toEqual([
      'b\u0000a__r__x',
    ]);
    // a → b → c → a, declared c, a, b: c goes first, so c's lookup to b waits.
    expect([...deferredLookups([lookups('c', 'b'), lookups('a', 'c'), lookups('b', 'a')])]).toEqual(
      ['c\u0000b__r__x'],
    );
    // Two cycles through one entity.
    const two = deferredLookups([lookups('x', 'y', 'z'), lookups('y', 'x'), lookups('z', 'x')]);
    expect([...two].sort()).toEqual(['x\u0000y__r__x', 'x\u0000z__r__x']);
  });

  it('breaks a cycle at its earliest-declared member even if one below it comes first', () => {
    const { graph, deferred } = orderWithDeferredLookups([
      lookups('tail', 'b'),
      lookups('a', 'b'),
      lookups('b', 'a'),
    ]);
    expect([...deferred]).toEqual(['a\u0000b__r__x']);
    expect(graph.order).toEqual(['a', 'b', 'tail']);
  });

  it("defers only the lookup into the cycle, not the same entity's other lookups", () => {
    const { graph, deferred } = orderWithDeferredLookups([
      lookups('r'),
      lookups('a', 'b', 'r'),
      lookups('b', 'a'),
    ]);
    expect([...deferred]).toEqual(['a\u0000b__r__x']);
    expect(graph.levels).toEqual([['r'], ['a'], ['b']]);
  });

  it('defers every lookup from the breaking entity to its parent in the cycle', () => {
    const nodes = [
      {
        name: 'a',
        lookups: [
          { entity: 'b', lookup: 'main_b' },
          { entity: 'b', lookup: 'backup_b' },
        ],
      },
      { name: 'b', lookups: [{ entity: 'a', lookup: 'a_ref' }] },
    ];
    expect([...orderWithDeferredLookups(nodes).deferred].sort()).toEqual([
      'a\u0000backup_b',
      'a\u0000main_b',
    ]);
  });

  it('leaves a graph that orders', () => {
    const nodes = [
      lookups('a', 'c', 'a'),
      lookups('b', 'a'),
      lookups('c', 'b'),
      lookups('d', 'c', 'b'),
    ];
    const deferred = deferredLookups(nodes);
    const result = buildEntityGraph(
      nodes.map((n) => ({
        name: n.name,
        parents: n.lookups
          .filter((l) => !deferred.has(`${n.name}\u0000${l.lookup}`))
          .map((l) => l.entity),
      })),
    );
    expect(result.ok).toBe(true);
  });
});
