import Table from 'cli-table3';
import { cellText, MAX_CELL_CHARS, wrapText } from './terminal-text.js';

type Cell = string | number | null | undefined;

/**
 * A plain table: no colours, so piped output and snapshots stay clean; every cell made safe for a
 * terminal and capped.
 */
export function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map((cell) => cellText(cell)));
  return table.toString();
}

/**
 * A table with fixed column widths whose cells are wrapped here, in linear
 * time, rather than by cli-table3 (whose wrap is quadratic in a cell's length).
 */
export function renderWrappedTable(
  head: readonly string[],
  widths: readonly number[],
  rows: readonly (readonly Cell[])[],
): string {
  const table = new Table({
    head: [...head],
    colWidths: [...widths],
    wordWrap: false,
    style: { head: [], border: [] },
  });
  // Callers cap each part of a cell (an error, a hint); the whole cell gets a looser cap as a last
  // guard. Two columns of each width are cli-table3's padding.
  for (const row of rows)
    table.push(row.map((cell, i) => wrapText(cellText(cell, 4 * MAX_CELL_CHARS), widths[i]! - 2)));
  return table.toString();
}
