import { Graph, layout as layoutGraph } from '@dagrejs/dagre';
import { maxOf } from '../core/arrays.js';
import { MISMATCH_CLASSES, type MismatchClass } from '../core/audit/types.js';
import type { EntityGraph } from '../core/entities/graph.js';
import { html, type SafeHtml } from './html-text.js';

export const CLASS_COLORS: Readonly<Record<MismatchClass, string>> = {
  missing_parent: '#e5534b',
  failed: '#a40e26',
  gave_up: '#6e1423',
  absent: '#d4a72c',
  stuck: '#bc4c00',
  drift: '#0969da',
  duplicate: '#8250df',
  orphan: '#6e7781',
  source_duplicate: '#bf3989',
};

export interface BarRow {
  readonly name: string;
  readonly counts: Readonly<Record<MismatchClass, number>>;
}

/** One horizontal bar per entity, a segment per mismatch class, all on one scale. */
export function stackedBars(rows: readonly BarRow[]): SafeHtml {
  const labelWidth = 180;
  const barWidth = 520;
  const rowHeight = 26;
  const totals = rows.map((r) => MISMATCH_CLASSES.reduce((sum, c) => sum + r.counts[c], 0));
  const max = maxOf(totals, 1);
  const height = rows.length * rowHeight + 8;
  const bars = rows.map((row, i) => {
    const y = i * rowHeight + 4;
    let x = labelWidth;
    const segments = MISMATCH_CLASSES.filter((cls) => row.counts[cls] > 0).map((cls) => {
      const n = row.counts[cls];
      const w = Math.max(1, (n / max) * barWidth);
      const box = html`x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18"`;
      const title = html`<title>${row.name}: ${n} ${cls}</title>`;
      const fill = CLASS_COLORS[cls];
      const rect = html`<rect class="segment" data-class="${cls}" ${box} fill="${fill}">`;
      const segment = html`${rect}${title}</rect>`;
      x += w;
      return segment;
    });
    const name = shorten(row.name, 24);
    const label = html`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${name}</text>`;
    const totalX = (x + 6).toFixed(1);
    const total = html`<text x="${totalX}" y="${y + 15}" class="total">${totals[i]}</text>`;
    return html`<g data-entity="${row.name}">${label}${segments}${total}</g>`;
  });
  const width = labelWidth + barWidth + 80;
  const open = svgOpen('mismatches per entity by class', width, height, 'bars');
  return html`${open}${bars}</svg>`;
}

/**
 * The canonical order as a layered drawing, parents left of their children, laid out by dagre: it
 * routes each edge between the boxes (through the gaps of the layers it crosses), so no edge runs
 * behind a box it does not connect. Entities in `flagged` are outlined red.
 */
export function dependencyGraph(
  graph: EntityGraph,
  flagged: ReadonlyMap<string, number>,
): SafeHtml {
  const nodeWidth = 170;
  const nodeHeight = 34;
  const layout = new Graph();
  layout.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 10, marginy: 10 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const name of graph.order) layout.setNode(name, { width: nodeWidth, height: nodeHeight });
  for (const name of graph.order)
    for (const parent of graph.parentsOf.get(name) ?? []) layout.setEdge(parent, name);
  layoutGraph(layout);
  const { width = 0, height = 0 } = layout.graph();
  const edges = layout.edges().map(({ v: parent, w: name }: { v: string; w: string }) => {
    // dagre clips an edge where the line to its first bend meets the box, which can be the
    // box's top or bottom, cutting across a neighbour of the same layer; leaving from the right
    // side and arriving at the left keeps the first and last pieces in the gaps between layers.
    const [from, to] = [layout.node(parent), layout.node(name)];
    const bends = (layout.edge(parent, name).points ?? []).slice(1, -1);
    const points = [
      { x: from.x + nodeWidth / 2, y: from.y },
      ...bends,
      { x: to.x - nodeWidth / 2, y: to.y },
    ];
    const look = html`fill="none" stroke="#8c959f" marker-end="url(#arrow)"`;
    const d = smoothPath(points);
    return html`<path class="edge" data-from="${parent}" data-to="${name}" d="${d}" ${look}/>`;
  });
  const nodes = graph.order.map((name, i) => {
    const center = layout.node(name);
    const [x, y] = [center.x - nodeWidth / 2, center.y - nodeHeight / 2];
    const bad = flagged.get(name) ?? 0;
    const [fill, stroke] = bad > 0 ? ['#fff1f0', '#d1242f'] : ['#f6f8fa', '#8c959f'];
    const box = html`x="${x}" y="${y}" width="${nodeWidth}" height="${nodeHeight}" rx="6"`;
    const rect = html`<rect ${box} fill="${fill}" stroke="${stroke}"/>`;
    const caption = `${i + 1}. ${shorten(name, 16)}${bad > 0 ? ` (${bad})` : ''}`;
    const at = html`x="${center.x}" y="${y + 21}"`;
    const text = html`<text ${at} text-anchor="middle">${caption}</text>`;
    const group = html`<g class="node" data-entity="${name}" data-order="${i + 1}">`;
    return html`${group}${rect}${text}<title>${name}</title></g>`;
  });
  const open = svgOpen(
    'canonical order: parents before children',
    Math.ceil(width),
    Math.ceil(height),
    'graph',
  );
  return html`${open}${ARROW}${edges}${nodes}</svg>`;
}

/**
 * A path through dagre's points: straight to the first, then quadratic curves through the
 * midpoints, so bends are smooth and the line still passes between the boxes.
 */
function smoothPath(points: readonly { x: number; y: number }[]): string {
  const at = (p: { x: number; y: number }) => `${round1(p.x)} ${round1(p.y)}`;
  if (points.length === 0) return '';
  let d = `M ${at(points[0]!)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mid = {
      x: (points[i]!.x + points[i + 1]!.x) / 2,
      y: (points[i]!.y + points[i + 1]!.y) / 2,
    };
    d += ` Q ${at(points[i]!)}, ${at(mid)}`;
  }
  return `${d} L ${at(points.at(-1)!)}`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface TrendPoint {
  readonly label: string;
  readonly value: number;
}

/** Mismatches over the recorded runs, oldest first, as a line with a dot per run. */
export function trendLine(points: readonly TrendPoint[]): SafeHtml {
  const width = 640;
  const height = 140;
  const pad = 28;
  const values = points.map((p) => p.value);
  const max = maxOf(values, 1);
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const xy = points.map((p, i) => ({
    x: pad + i * step,
    y: height - pad - (p.value / max) * (height - 2 * pad),
    p,
  }));
  const line = xy.map((q) => `${q.x.toFixed(1)},${q.y.toFixed(1)}`).join(' ');
  const runs = xy.map((q) => {
    const [cx, cy] = [q.x.toFixed(1), q.y.toFixed(1)];
    const title = html`<title>${q.p.label}: ${q.p.value}</title>`;
    return html`<circle class="run" cx="${cx}" cy="${cy}" r="4" fill="#d1242f">${title}</circle>`;
  });
  const bottom = height - pad;
  const open = svgOpen('mismatches per recorded run', width, height, 'trend');
  const ends = html`x1="${pad}" y1="${bottom}" x2="${width - pad}" y2="${bottom}"`;
  const axis = html`<line ${ends} stroke="#d0d7de"/>`;
  const top = html`<text x="4" y="${pad}" class="axis">${max}</text>`;
  const zero = html`<text x="4" y="${bottom}" class="axis">0</text>`;
  const path = html`<polyline fill="none" stroke="#d1242f" stroke-width="2" points="${line}"/>`;
  return html`${open}${axis}${top}${zero}${dateLabels(xy, bottom + 16)}${path}${runs}</svg>`;
}

/**
 * The dates of the first, middle and last runs under the axis (their day; the hour too when runs
 * fall on one day), so the trend reads against time.
 */
function dateLabels(points: readonly { x: number; p: TrendPoint }[], y: number): SafeHtml[] {
  if (points.length === 0) return [];
  const sameDay = points[0]!.p.label.slice(0, 10) === points.at(-1)!.p.label.slice(0, 10);
  const text = (label: string) => (sameDay ? label.slice(5, 16) : label.slice(0, 10));
  const picks =
    points.length === 1
      ? [{ at: points[0]!, anchor: 'middle' }]
      : [
          { at: points[0]!, anchor: 'start' },
          ...(points.length > 4
            ? [{ at: points[Math.floor(points.length / 2)]!, anchor: 'middle' }]
            : []),
          { at: points.at(-1)!, anchor: 'end' },
        ];
  return picks.map(
    ({ at, anchor }) =>
      html`<text x="${at.x.toFixed(1)}" y="${y}" class="axis date" text-anchor="${anchor}"
        >${text(at.p.label)}</text>`,
  );
}

function svgOpen(label: string, width: number, height: number, cls: string): SafeHtml {
  return html`<svg role="img" aria-label="${label}" width="${width}" height="${height}" \
class="${cls}">`;
}

/** The arrowhead every edge of the order graph ends in. */
const ARROW = html`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" \
markerWidth="7" markerHeight="7" orient="auto-start-reverse">\
<path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a"/></marker></defs>`;

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
