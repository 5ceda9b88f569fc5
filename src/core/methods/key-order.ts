/**
 * Compares keys the way PostgreSQL orders them under COLLATE "C" (UTF-8 byte
 * order, which is code-point order), so rows streamed sorted from two databases
 * can be merged. JavaScript's `<` compares UTF-16 units, which disagrees only
 * when a character above U+FFFF meets one in U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) - codePointRank(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–U+DFFF) stand for code points above every BMP character. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}
