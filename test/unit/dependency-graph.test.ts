import { describe, expect, it } from 'vitest';
import { buildEntityGraph, type GraphNode } from '../../src/core/entities/graph.js';
import { dependencyGraph } from '../../src/render/svg.js';

interface Box {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function draw(nodes: GraphNode[]): {
  boxes: Box[];
  edges: { from: string; to: string; d: string }[];
} {
  const result = buildEntityGraph(nodes);
  if (!result.ok) throw new Error('cycle');
  const svg = String(dependencyGraph(result.graph, new Map()));
  const boxes = [
    ...svg.matchAll(
      /data-entity="([^"]+)"[^>]*><rect x="([\d.-]+)" y="([\d.-]+)" width="(\d+)" height="(\d+)"/g,
    ),
  ].map((m) => ({ name: m[1]!, x: +m[2]!, y: +m[3]!, width: +m[4]!, height: +m[5]! }));
  const edges = [...svg.matchAll(/data-from="([^"]+)" data-to="([^"]+)" d="([^"]+)"/g)].map(
    (m) => ({ from: m[1]!, to: m[2]!, d: m[3]! }),
  );
  return { boxes, edges };
}

/** Points along a path's straight, quadratic and cubic pieces, ten per piece. */
function samples(d: string): { x: number; y: number }[] {
  const numbers = [...d.matchAll(/-?[\d.]+/g)].map((m) => Number(m[0]));
  const commands = [...d.matchAll(/[MQLC]/g)].map((m) => m[0]);
  const points: { x: number; y: number }[] = [];
  let at = 0;
  let current = { x: 0, y: 0 };
  for (const command of commands) {
    if (command === 'C') {
      const [ax, ay, bx, by, x, y] = numbers.slice(at, at + 6) as number[] as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      at += 6;
      for (let t = 0.1; t <= 1; t += 0.1) {
        const u = 1 - t;
        points.push({
          x: u ** 3 * current.x + 3 * u * u * t * ax + 3 * u * t * t * bx + t ** 3 * x,
          y: u ** 3 * current.y + 3 * u * u * t * ay + 3 * u * t * t * by + t ** 3 * y,
        });
      }
      current = { x, y };
    } else if (command === 'Q') {
      const [cx, cy, x, y] = numbers.slice(at, at + 4) as [number, number, number, number];
      at += 4;
      for (let t = 0.1; t <= 1; t += 0.1) {
        const u = 1 - t;
        points.push({
          x: u * u * current.x + 2 * u * t * cx + t * t * x,
          y: u * u * current.y + 2 * u * t * cy + t * t * y,
        });
      }
      current = { x, y };
    } else {
      const [x, y] = numbers.slice(at, at + 2) as [number, number];
      at += 2;
      if (command === 'L')
        for (let t = 0.1; t <= 1; t += 0.1)
          points.push({ x: current.x + (x - current.x) * t, y: current.y + (y - current.y) * t });
      current = { x, y };
      points.push(current);
    }
  }
  return points;
}

const inside = (p: { x: number; y: number }, b: Box) =>
  p.x > b.x + 1 && p.x < b.x + b.width - 1 && p.y > b.y + 1 && p.y < b.y + b.height - 1;

describe('the dependency graph of the HTML report', () => {
  // Skip-level edges (school → lesson past two levels) are the ones a straight level-to-level curve
  // drew behind the boxes between.
  const editor: GraphNode[] = [
    { name: 'school', parents: [] },
    { name: 'contact', parents: [] },
    { name: 'role', parents: ['school', 'contact'] },
    { name: 'school_class', parents: ['school'] },
    { name: 'class_teacher', parents: ['school_class', 'contact'] },
    { name: 'lesson', parents: ['school', 'school_class', 'contact'] },
    { name: 'attendance', parents: ['lesson', 'school', 'contact', 'role'] },
  ];

  it('draws every entity once and every parent link as an edge', () => {
    const { boxes, edges } = draw(editor);
    expect(boxes.map((b) => b.name).sort()).toEqual(editor.map((n) => n.name).sort());
    expect(edges).toHaveLength(editor.reduce((sum, n) => sum + n.parents.length, 0));
  });

  // A wide middle layer: edges that skip it must find the gaps between its boxes.
  const wide: GraphNode[] = [
    { name: 'account', parents: [] },
    { name: 'user', parents: [] },
    ...['a', 'b', 'c', 'd', 'e'].map((n) => ({ name: `middle_${n}`, parents: ['account'] })),
    { name: 'case', parents: ['user', 'middle_e', 'account'] },
    { name: 'task', parents: ['user', 'middle_a'] },
  ];

  it.each([
    ['editor-api', editor],
    ['a wide middle layer', wide],
  ])('%s: no edge runs behind a box it does not connect; no boxes overlap', (_, nodes) => {
    const { boxes, edges } = draw(nodes);
    expect(edges.every((edge) => samples(edge.d).length > 2)).toBe(true);
    for (const edge of edges) {
      const others = boxes.filter((b) => b.name !== edge.from && b.name !== edge.to);
      for (const point of samples(edge.d))
        for (const box of others)
          expect(inside(point, box), `${edge.from} → ${edge.to} crosses ${box.name}`).toBe(false);
    }
    for (const a of boxes)
      for (const b of boxes)
        if (a !== b)
          expect(
            a.x < b.x + b.width &&
              b.x < a.x + a.width &&
              a.y < b.y + b.height &&
              b.y < a.y + a.height,
            `${a.name} overlaps ${b.name}`,
          ).toBe(false);
  });

  it('parents sit left of their children', () => {
    const { boxes } = draw(editor);
    const x = new Map(boxes.map((b) => [b.name, b.x]));
    for (const node of editor)
      for (const parent of node.parents) expect(x.get(parent)!).toBeLessThan(x.get(node.name)!);
  });
});
