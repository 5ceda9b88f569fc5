// Three spread calls for no-spread-calls.test.ts to find, and array spreads it must leave alone.
export const pushed = (list: number[], more: number[]) => list.push(...more);
export const largest = (more: number[]) => Math.max(1, ...more);
export const set = (more: number[]) => new Set(...[more]);
export const joined = (list: number[], more: number[]) => [...list, ...more];
