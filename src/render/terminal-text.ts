import stringWidth from 'string-width';
import { appendAll } from '../core/arrays.js';

/**
 * Text from a database (an `_hc_err`, a key, a value) on its way to a
 * terminal: control characters could move the cursor or recolour the screen,
 * and bidi overrides could make `rm -rf /` read as something else (the
 * "Trojan Source" trick), so both are shown as visible escapes. Newlines stay.
 */
// C0 controls but \n, DEL, C1 controls; bidi embeddings, overrides, isolates and marks.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(
    UNSAFE,
    (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`,
  );
}

/** A table cell shows at most this much; the JSON output always has the full text. */
export const MAX_CELL_CHARS = 600;

/** Safe for a terminal and at most `max` characters, saying how much was left out. */
export function cellText(value: unknown, max = MAX_CELL_CHARS): string {
  const text = terminalSafe(value === null || value === undefined ? '' : String(value));
  if (text.length <= max) return text;
  const omitted = text.length - max;
  return `${text.slice(0, max)}… (${omitted} more characters: --format json has the full text)`;
}

/**
 * Where a word may break when it is wider than its column: after punctuation that ends a part of a
 * name, a path, a list or a URL (`pi_accounts__c`, `a/b`, `x,y`, a UUID's dashes). A run of them
 * stays together, so `__c` is never split from its `__`.
 */
const BREAK_AFTER = /[^,;:/\\_\-.|)\]}&?=]*[,;:/\\_\-.|)\]}&?=]+|[^,;:/\\_\-.|)\]}&?=]+/g;

/** The parts of a word between its break points (`a_b-c` → `a_`, `b-`, `c`). */
export function wordSegments(word: string): string[] {
  return word.match(BREAK_AFTER) ?? [];
}

/**
 * Greedy word wrap to `width` columns, in one pass over the text (cli-table3's
 * own wrap is quadratic: a 4,000-character error took minutes). Lines break at
 * spaces; a word wider than a line breaks after its punctuation (wordSegments),
 * and only a part still wider than a line is cut.
 */
export function wrapText(text: string, width: number): string {
  const limit = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    const place = (part: string, partWidth: number, space: boolean) => {
      const gap = line && space ? 1 : 0;
      if (line && lineWidth + gap + partWidth <= limit) {
        line += gap ? ` ${part}` : part;
        lineWidth += gap + partWidth;
      } else if (partWidth <= limit) {
        if (line) out.push(line);
        line = part;
        lineWidth = partWidth;
      } else {
        if (line) out.push(line);
        const pieces = cutToWidth(part, limit);
        appendAll(out, pieces.slice(0, -1));
        line = pieces.at(-1)!;
        lineWidth = stringWidth(line);
      }
    };
    for (const word of paragraph.split(/ +/)) {
      if (word === '') continue;
      const wordWidth = stringWidth(word);
      if (wordWidth <= limit) {
        place(word, wordWidth, true);
        continue;
      }
      let first = true;
      for (const segment of wordSegments(word)) {
        place(segment, stringWidth(segment), first);
        first = false;
      }
    }
    out.push(line);
  }
  return out.join('\n');
}

/** A word wider than a line, cut into pieces of at most `width` columns, in one pass. */
function cutToWidth(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const char of word) {
    const w = stringWidth(char);
    if (used + w > width && piece) {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += char;
    used += w;
  }
  pieces.push(piece);
  return pieces;
}
