/** How deep a JSON text nests, and about how long it is once printed as sfsync prints it. */
export interface JsonExtent {
  /** The deepest nesting of arrays and objects (a bare value: 0). */
  readonly depth: number;
  /**
   * Its length printed with two-space indentation (JSON.stringify(value, null, 2)):
   * the text without its whitespace, plus a line break and indentation per
   * member and a space per colon. A file printed by sfsync measures its own size;
   * a minified one measures what merge would print from it.
   */
  readonly printedLength: number;
}

/**
 * Measured in one pass over the bytes, before they are parsed: what nests
 * deeper than `maxDepth` is not measured further (undefined), since
 * JSON.stringify and zod recurse per level and would overflow the stack on
 * what JSON.parse accepts; and what would print far longer than it reads
 * (millions of tiny values, each on its own indented line) is seen before
 * the parse builds it.
 */
export function jsonExtent(bytes: Uint8Array, maxDepth: number): JsonExtent | undefined {
  let depth = 0;
  let deepest = 0;
  let whitespace = 0;
  let added = 0;
  // An empty [] or {} prints as it reads: the line break opened for its first member is taken back.
  let emptySoFar = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const wasEmpty = emptySoFar;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) emptySoFar = false;
    switch (byte) {
      case 0x22: // " (a string: on to its closing quote, found by indexOf rather than byte by byte)
        i = closingQuote(bytes, i);
        break;
      case 0x5b: // [
      case 0x7b: // {
        depth++;
        if (depth > maxDepth) return undefined;
        if (depth > deepest) deepest = depth;
        added += 1 + 2 * depth;
        emptySoFar = true;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        added += wasEmpty ? -(1 + 2 * depth) : 1 + 2 * Math.max(0, depth - 1);
        depth--;
        break;
      case 0x2c: // ,
        added += 1 + 2 * depth;
        break;
      case 0x3a: // :
        added += 1;
        break;
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        whitespace++;
        break;
    }
  }
  return { depth: deepest, printedLength: bytes.length - whitespace + added };
}

/**
 * Where the string opened at `start` ends: the next quote not escaped by an odd run of backslashes
 * (the end of the text if none).
 */
function closingQuote(bytes: Uint8Array, start: number): number {
  for (let at = bytes.indexOf(0x22, start + 1); at >= 0; at = bytes.indexOf(0x22, at + 1)) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return bytes.length;
}
