import { maxOf } from '../core/arrays.js';
import { MISMATCH_CLASSES, type MismatchClass } from '../core/audit/types.js';
import type { EntityGraph } from '../core/entities/graph.js';
import { html, type SafeHtml } from './html-text.js';

export const CLASS_COLORS: Readonly<Record<MismatchClass, string>> = {
  missing_parent: '#e5534b',
  failed: '#a40e26',
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
      const segment = html`<rect class="segment" data-class="${cls}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${CLASS_COLORS[cls]}"><title>${row.name}: ${n} ${cls}</title></rect>`;
      x += w;
      return segment;
    });
    const name = shorten(row.name, 24);
    const label = html`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${name}</text>`;
    const totalX = (x + 6).toFixed(1);
    const total = html`<text x="${totalX}" y="${y + 15}" class="total">${totals[i]}</text>`;
    return html`<g data-entity="${row.name}">${label}${segments}${total}</g>`;
  });
  return html`<svg role="img" aria-label="mismatches per entity by class" width="${labelWidth + barWidth + 80}" height="${height}" class="bars">${bars}</svg>`;
}

/**
 * The canonical order laid out by level, left to right; an edge per parent → child. Entities in
 * `flagged` are outlined red.
 */
export function dependencyGraph(
  graph: EntityGraph,
  flagged: ReadonlyMap<string, number>,
): SafeHtml {
  const nodeWidth = 170;
  const nodeHeight = 34;
  const columnGap = 70;
  const rowGap = 18;
  const position = new Map<string, { x: number; y: number }>();
  graph.levels.forEach((level, column) => {
    level.forEach((name, row) => {
      position.set(name, {
        x: 10 + column * (nodeWidth + columnGap),
        y: 10 + row * (nodeHeight + rowGap),
      });
    });
  });
  const width = 20 + graph.levels.length * (nodeWidth + columnGap) - columnGap;
  const sizes = graph.levels.map((l) => l.length);
  const tallest = maxOf(sizes, 1);
  const height = 20 + tallest * (nodeHeight + rowGap) - rowGap;
  const edges = graph.order.flatMap((name) => {
    const to = position.get(name)!;
    return (graph.parentsOf.get(name) ?? []).map((parent) => {
      const from = position.get(parent)!;
      const x1 = from.x + nodeWidth;
      const y1 = from.y + nodeHeight / 2;
      const x2 = to.x;
      const y2 = to.y + nodeHeight / 2;
      const bend = Math.max(30, (x2 - x1) / 2);
      return html`<path class="edge" data-from="${parent}" data-to="${name}" d="M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}" fill="none" stroke="#8c959f" marker-end="url(#arrow)"/>`;
    });
  });
  const nodes = graph.order.map((name, i) => {
    const { x, y } = position.get(name)!;
    const bad = flagged.get(name) ?? 0;
    return html`<g class="node" data-entity="${name}" data-order="${i + 1}"><rect x="${x}" y="${y}" width="${nodeWidth}" height="${nodeHeight}" rx="6" fill="${bad > 0 ? '#fff1f0' : '#f6f8fa'}" stroke="${bad > 0 ? '#d1242f' : '#8c959f'}"/><text x="${x + nodeWidth / 2}" y="${y + 21}" text-anchor="middle">${i + 1}. ${shorten(name, 16)}${bad > 0 ? ` (${bad})` : ''}</text><title>${name}</title></g>`;
  });
  return html`<svg role="img" aria-label="canonical order: parents before children" width="${width}" height="${height}" class="graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a"/></marker></defs>${edges}${nodes}</svg>`;
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
  return html`<svg role="img" aria-label="mismatches per recorded run" width="${width}" height="${height}" class="trend"><line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#d0d7de"/><text x="4" y="${pad}" class="axis">${max}</text><text x="4" y="${height - pad}" class="axis">0</text><polyline fill="none" stroke="#d1242f" stroke-width="2" points="${line}"/>${runs}</svg>`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
