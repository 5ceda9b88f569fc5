/**
 * Array helpers that stay safe at any length. Spreading an array into a call
 * (`push(...items)`, `Math.max(...values)`) puts every element on the stack
 * and throws RangeError past some 100k elements: a backfill of 130k rows
 * crashed so. test/unit/no-spread-calls.test.ts keeps such calls out of src/.
 */

/** Appends every item to the target, in order, and returns the target. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of the values, or `floor` when it is larger (or there are none). */
export function maxOf(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const value of values) if (value > max) max = value;
  return max;
}

/** The smallest of the values, or `ceiling` when it is smaller (or there are none). */
export function minOf(values: Iterable<number>, ceiling: number): number {
  let min = ceiling;
  for (const value of values) if (value < min) min = value;
  return min;
}
