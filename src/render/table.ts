import Table from 'cli-table3';
import stringWidth from 'string-width';
import { cellText, MAX_CELL_CHARS, wordSegments, wrapText } from './terminal-text.js';

type Cell = string | number | null | undefined;

/**
 * Columns a table may take when nothing says how wide the terminal is (a pipe, a file, a CI log):
 * wide enough for the audit summary, narrow enough for a log viewer.
 */
export const DEFAULT_WIDTH = 120;

export interface TableOptions {
  /** Columns the whole table may take, borders included. */
  readonly width?: number | undefined;
  /** Longest text a cell shows (--format json has the rest). */
  readonly cellChars?: number | undefined;
}

/**
 * A column is never made narrower than this by cutting its words (a word this long or shorter is
 * kept whole; a longer one is cut into pieces of at least this width).
 */
const MIN_CUT_WIDTH = 8;

// Compact: a rule under the header, none between rows, so a long table stays readable.
const STYLE = { head: [], border: [], compact: true };

/** What n columns cost beyond their text: a border before each and after the last, padding. */
export function tableChrome(columns: number): number {
  return 3 * columns + 1;
}

/**
 * A plain table fitted to `width` columns: no colours, so piped output and snapshots stay clean;
 * every cell made safe for a terminal and capped. Column widths come from the content: a table
 * that fits is left as it is; one that does not has its wide columns narrowed and their cells
 * wrapped at spaces, then after punctuation, and only a word with no such place is cut.
 * Cells are wrapped here, in linear time, rather than by cli-table3 (whose wrap is quadratic in a
 * cell's length).
 */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const cap = options.cellChars ?? MAX_CELL_CHARS;
  const cells = [head, ...rows].map((row) => head.map((_, i) => cellText(row[i], cap)));
  const widths = fitColumns(cells, (options.width ?? DEFAULT_WIDTH) - tableChrome(head.length));
  const [header, ...body] = cells.map((row) => row.map((text, i) => wrapText(text, widths[i]!)));
  const table = new Table({
    head: header!,
    colWidths: widths.map((w) => w + 2),
    wordWrap: false,
    style: STYLE,
  });
  for (const row of body) table.push(row);
  return table.toString();
}

/** Whether the table fits in `width` columns with every word whole (wrapped at spaces only). */
export function fitsWithWholeWords(
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  width: number,
): boolean {
  const cells = [head, ...rows].map((row) => head.map((_, i) => cellText(row[i])));
  const words = columnStats(cells.map((row) => row.map(measure))).map((c) => c.word);
  return sum(words) + tableChrome(head.length) <= width;
}

/** A cell's measures: each line's width, its widest word and its widest unbreakable part. */
interface Measure {
  readonly lines: readonly number[];
  readonly word: number;
  readonly segment: number;
}

function measure(text: string): Measure {
  let word = 0;
  let segment = 0;
  const lines = text.split('\n').map((line) => {
    for (const w of line.split(/ +/)) {
      const width = stringWidth(w);
      word = Math.max(word, width);
      if (width > segment)
        for (const part of wordSegments(w)) segment = Math.max(segment, stringWidth(part));
    }
    return stringWidth(line);
  });
  return { lines, word, segment };
}

interface ColumnStats {
  /** The width that shows every cell unwrapped. */
  readonly natural: number;
  /** The narrowest width that keeps every word whole. */
  readonly word: number;
  /** The narrowest width that breaks words only after punctuation. */
  readonly segment: number;
  /** The narrowest width at all: words cut, but into pieces no narrower than this. */
  readonly cut: number;
}

function columnStats(measures: readonly (readonly Measure[])[]): ColumnStats[] {
  return measures[0]!.map((_, i) => {
    let natural = 1;
    let word = 1;
    let segment = 1;
    for (const row of measures) {
      const m = row[i]!;
      for (const line of m.lines) natural = Math.max(natural, line);
      word = Math.max(word, m.word);
      segment = Math.max(segment, m.segment);
    }
    word = Math.min(word, natural);
    segment = Math.min(segment, word);
    return { natural, word, segment, cut: Math.min(segment, MIN_CUT_WIDTH) };
  });
}

/**
 * Text widths for the columns, summing to at most `room` when that can be done. Candidate
 * minimums, from keeping every word whole to breaking more columns' words after punctuation
 * (widest first), and cutting words only when nothing else fits; the room left over is shared in
 * proportion to what each column still lacks; of those that fit, the one giving the shortest table
 * wins, a column whose words break counting as one more line.
 */
function fitColumns(cells: readonly (readonly string[])[], room: number): number[] {
  const measures = cells.map((row) => row.map(measure));
  const stats = columnStats(measures);
  const natural = stats.map((c) => c.natural);
  if (sum(natural) <= room) return natural;

  const candidates: { floors: number[]; broken: number }[] = [];
  let floors = stats.map((c) => c.word);
  candidates.push({ floors, broken: 0 });
  const breakable = stats
    .map((c, i) => ({ ...c, i }))
    .filter((c) => c.word > c.segment)
    .sort((a, b) => b.word - a.word || b.natural - a.natural || a.i - b.i);
  for (const [k, c] of breakable.entries()) {
    floors = floors.map((f, i) => (i === c.i ? c.segment : f));
    candidates.push({ floors, broken: k + 1 });
  }
  const cuttable = stats
    .map((c, i) => ({ ...c, i }))
    .sort((a, b) => floors[b.i]! - floors[a.i]! || a.i - b.i);
  for (const c of cuttable) {
    const excess = sum(floors) - room;
    if (excess <= 0) break;
    floors = floors.map((f, i) => (i === c.i ? Math.max(c.cut, f - excess) : f));
    candidates.push({ floors, broken: stats.length + 1 });
  }

  let best: { widths: number[]; score: number } | undefined;
  for (const candidate of candidates) {
    if (sum(candidate.floors) > room) continue;
    const widths = share(candidate.floors, natural, room);
    const score = height(measures, widths) + candidate.broken;
    if (!best || score < best.score) best = { widths, score };
  }
  // Too many columns for the terminal even with every word cut: the table overflows.
  if (!best) return floors;
  return tighten(cells, best.widths, natural, room);
}

/**
 * Wrapped text seldom fills its column to the last character: each column is narrowed to its
 * widest wrapped line and what that frees goes to the columns still wrapping, until nothing moves;
 * room no column can use is left off the table rather than padded.
 */
function tighten(
  cells: readonly (readonly string[])[],
  start: readonly number[],
  natural: readonly number[],
  room: number,
): number[] {
  const widestLines = (widths: readonly number[]) =>
    widths.map((w, i) => {
      let widest = 1;
      for (const row of cells)
        for (const line of wrapText(row[i]!, w).split('\n'))
          widest = Math.max(widest, stringWidth(line));
      return Math.min(w, widest);
    });
  let widths = [...start];
  for (let round = 0; round < 4; round++) {
    const next = share(widestLines(widths), natural, room);
    if (next.every((w, i) => w === widths[i])) break;
    widths = next;
  }
  return widestLines(widths);
}

/** Widths from `floors`, the room above them shared in proportion to what each lacks. */
function share(floors: readonly number[], natural: readonly number[], room: number): number[] {
  const lacks = natural.map((n, i) => n - floors[i]!);
  const spare = room - sum(floors);
  if (sum(lacks) <= spare) return [...natural];
  const lacking = sum(lacks);
  const shares = lacks.map((lack) => (lack * spare) / lacking);
  const widths = floors.map((f, i) => f + Math.floor(shares[i]!));
  let left = room - sum(widths);
  const byRemainder = shares
    .map((s, i) => ({ rest: s - Math.floor(s), i }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left === 0) break;
    if (widths[i]! < natural[i]!) {
      widths[i] = widths[i]! + 1;
      left--;
    }
  }
  return widths;
}

/** About how many lines the table's text takes at these widths (each line wraps to ⌈w/width⌉). */
function height(measures: readonly (readonly Measure[])[], widths: readonly number[]): number {
  let total = 0;
  for (const row of measures) {
    let tallest = 1;
    for (const [i, m] of row.entries()) {
      let lines = 0;
      for (const line of m.lines) lines += Math.max(1, Math.ceil(line / widths[i]!));
      tallest = Math.max(tallest, lines);
    }
    total += tallest;
  }
  return total;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
