import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a process that streams: young generation kept at its starting size, old
 * generation grown by half each time (defaults: 16 MB semi-spaces, grown to several times what
 * is live).
 */
export const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'] as const;

/**
 * sfsync streams, so its live heap stays small (about 20 MB through a 1M-row audit), yet V8's
 * defaults let the heap reach 100 MB: the audit peaked at some 210 MB RSS. These flags take that
 * to about 135 MB at the same speed (docs/performance.md). V8 reads both as the heap grows, so
 * they apply when set at start-up (the flags that size the heap, such as --max-semi-space-size,
 * are read once, before any JavaScript runs). A flag the user set in NODE_OPTIONS or on node's
 * command line is left as they set it.
 */
export function tuneHeap(
  own = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`,
  set: (flag: string) => void = setFlagsFromString,
): void {
  // V8 reads `_` and `-` in a flag's name alike.
  const named = own.replace(/_/g, '-');
  for (const flag of HEAP_FLAGS) if (!named.includes(flag.slice(0, flag.indexOf('=')))) set(flag);
}
