import type { EntityGraph } from '../core/entities/graph.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Longest text a Markdown cell shows; the JSON and CSV reports carry the full text. */
const MAX_MD_CELL = 300;

/**
 * Text from a database made inert in a GitHub-flavoured Markdown table cell:
 * inline syntax escaped (emphasis, code, links, strikethrough), HTML as
 * entities (a key like `<img src=x>` stays text), pipes escaped so the cell
 * cannot end early, newlines as <br>, and capped. Block syntax (`#`, `-`)
 * means nothing inside a cell, so it is left readable.
 */
export function mdCell(value: unknown, max = MAX_MD_CELL): string {
  const text = value === null || value === undefined ? '' : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\r?\n/g, '<br>')
    .replace(CONTROL, ' ');
}

/** Lines in one cell, each made inert and capped on its own (a long first line leaves the rest). */
export function mdLines(lines: readonly string[]): string {
  return lines.map((line) => mdCell(line)).join('<br>');
}

/**
 * A key as inline code in a table cell: backticks cannot close the span, pipes cannot end the cell.
 */
export function mdCode(value: string, max = 120): string {
  const code = value.slice(0, max).replace(/`/g, "'").replace(/\|/g, '\\|').replace(CONTROL, ' ');
  return `\`${code}\``;
}

export function mdTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  numeric: ReadonlySet<number> = new Set(),
): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  const rule = head.map((_, i) => (numeric.has(i) ? '---:' : '---'));
  return [line(head), line(rule), ...rows.map(line)].join('\n');
}

/**
 * The canonical order as a Mermaid flowchart, parent → child. Node ids are
 * positional (entity names need not be valid Mermaid ids); labels are quoted.
 * Entities named in `flagged` get the `mismatch` class (red).
 */
export function mermaidGraph(
  graph: EntityGraph,
  labels: ReadonlyMap<string, string> = new Map(),
  flagged: ReadonlySet<string> = new Set(),
  deferred: readonly { readonly entity: string; readonly parent: string }[] = [],
): string {
  const id = new Map(graph.order.map((name, i) => [name, `e${i}`]));
  const label = (name: string) =>
    (labels.get(name) ?? name).replace(/["<>&#]/g, (c) => `#${c.charCodeAt(0)};`);
  const lines = ['```mermaid', 'flowchart LR'];
  for (const name of graph.order) lines.push(`  ${id.get(name)}["${label(name)}"]`);
  for (const name of graph.order)
    for (const parent of graph.parentsOf.get(name) ?? [])
      lines.push(`  ${id.get(parent)} --> ${id.get(name)}`);
  // Lookups set in the second phase: dashed, so the order the solid edges give stays readable.
  for (const link of deferred)
    lines.push(`  ${id.get(link.parent)} -.->|phase 2| ${id.get(link.entity)}`);
  const bad = graph.order.filter((name) => flagged.has(name));
  if (bad.length > 0) {
    lines.push('  classDef mismatch fill:#fde2e1,stroke:#d1242f');
    lines.push(`  class ${bad.map((name) => id.get(name)).join(',')} mismatch`);
  }
  lines.push('```');
  return lines.join('\n');
}
