import type { Mismatch, Mismatches } from './types.js';

/** The first `n` of a list, read no further (a spilled list is read from its file). */
export function firstMismatches(list: Mismatches, n: number): Mismatch[] {
  const first: Mismatch[] = [];
  if (n <= 0) return first;
  for (const mismatch of list) {
    first.push(mismatch);
    if (first.length >= n) break;
  }
  return first;
}
